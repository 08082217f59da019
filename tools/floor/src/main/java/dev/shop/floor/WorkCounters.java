package dev.shop.floor;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a run made PostgreSQL and RabbitMQ do, from their own statistics, so the work per order is
 * counted rather than assumed: per database, transactions committed (read-only ones included: each
 * autocommit SELECT is one) and rows inserted/updated/deleted/read, per table rows inserted/updated,
 * sequential scans and the rows they read, index scans; per
 * vhost, messages published, confirmed, delivered and acknowledged. Two snapshots, divided by orders.
 */
public final class WorkCounters {

    private WorkCounters() {
    }

    /** "db.counter" or "db.table.counter" -> value, for every database whose name matches {@code dbRegex}. */
    public static Map<String, Long> postgres(String serverUrl, String user, String dbRegex) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        List<String> dbs = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(serverUrl + "/postgres", user, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select d.datname, s.xact_commit, s.tup_inserted, s.tup_updated, s.tup_deleted, s.tup_returned + s.tup_fetched"
                     + " from pg_stat_database s join pg_database d on d.oid = s.datid where d.datname ~ '" + dbRegex.replace("'", "''") + "'")) {
            while (rs.next()) {
                String db = rs.getString(1);
                dbs.add(db);
                out.put(db + ".commits", rs.getLong(2));
                out.put(db + ".rows inserted", rs.getLong(3));
                out.put(db + ".rows updated", rs.getLong(4));
                out.put(db + ".rows deleted", rs.getLong(5));
                out.put(db + ".rows read", rs.getLong(6));
            }
        }
        for (String db : dbs) {
            try (Connection c = DriverManager.getConnection(serverUrl + "/" + db, user, null); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select schemaname || '.' || relname, n_tup_ins, n_tup_upd, seq_scan, seq_tup_read,"
                         + " coalesce(idx_scan, 0) from pg_stat_user_tables")) {
                while (rs.next()) {
                    String t = db + "." + rs.getString(1);
                    out.put(t + ".ins", rs.getLong(2));
                    out.put(t + ".upd", rs.getLong(3));
                    out.put(t + ".seq scans", rs.getLong(4));
                    out.put(t + ".seq rows read", rs.getLong(5));
                    out.put(t + ".index scans", rs.getLong(6));
                }
            } catch (SQLException gone) {
                // dropped meanwhile, or not ours to connect to
            }
        }
        return out;
    }

    /** The vhost's message totals from the management API: publish, confirm, deliver_get, ack, redeliver. */
    public static Map<String, Long> rabbit(String api, String user, String password, String vhost) throws IOException, InterruptedException {
        HttpResponse<String> res = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(URI.create(api + "/vhosts/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8)))
                        .header("authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Long> out = new TreeMap<>();
        if (res.statusCode() != 200) {
            return out;
        }
        for (String key : List.of("publish", "confirm", "deliver_get", "ack", "redeliver")) {
            Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(res.body());
            out.put("broker." + key, m.find() ? Long.parseLong(m.group(1)) : 0L);
        }
        return out;
    }

    /** {@code (after - before) / orders} for every counter that moved, one per line. */
    public static String perOrder(Map<String, Long> before, Map<String, Long> after, long orders) {
        StringBuilder out = new StringBuilder();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0 && orders > 0) {
                out.append(String.format(Locale.ROOT, "  %-60s %8.2f%n", k, (double) d / orders));
            }
        });
        return out.toString();
    }
}
