#!/bin/sh
# Exports the RabbitMQ definitions through the management HTTP API and uploads them to an S3-compatible
# object store. Run by the chart's broker-backup CronJob (backup.broker); POSIX sh + curl >= 8 only.
#
# Env:
#   RABBITMQ_MANAGEMENT_URL                 e.g. http://shop-rabbitmq:15672
#   RABBITMQ_USERNAME / RABBITMQ_PASSWORD   management user (administrator: the export includes users)
#   OBJECT_URL                              https URL of the folder, e.g. https://minio.example:9000/shop-backups/rabbitmq
#   OBJECT_REGION                           e.g. us-east-1 (signature scope)
#   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
# Writes <OBJECT_URL>/definitions-<UTC time>.json and <OBJECT_URL>/latest.json; credentials go to curl in
# a config read from stdin, never on a command line.
set -eu
: "${RABBITMQ_MANAGEMENT_URL:?set RABBITMQ_MANAGEMENT_URL}"
: "${OBJECT_URL:?set OBJECT_URL}"
: "${OBJECT_REGION:?set OBJECT_REGION}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=/tmp/definitions.json

printf 'user = "%s:%s"\n' "$RABBITMQ_USERNAME" "$RABBITMQ_PASSWORD" \
  | curl -sS --fail --retry 5 --retry-connrefused -K - -o "$out" "$RABBITMQ_MANAGEMENT_URL/api/definitions"
grep -q '"vhosts"' "$out" || { echo "the management API did not return a definitions document" >&2; exit 1; }

upload() { # upload <object name>
  printf 'user = "%s:%s"\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" \
    | curl -sS --fail --retry 3 -K - --aws-sigv4 "aws:amz:$OBJECT_REGION:s3" \
        -H 'content-type: application/json' -T "$out" "$OBJECT_URL/$1"
}
upload "definitions-$stamp.json"
upload latest.json
echo "uploaded $(wc -c < "$out") bytes of broker definitions to $OBJECT_URL/definitions-$stamp.json"
