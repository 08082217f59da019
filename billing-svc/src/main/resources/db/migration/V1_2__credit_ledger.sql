-- Expand-only: per-account bookkeeping for the correctness monitor's credit_conserved invariant.
-- granted: credit ever granted to the account (its initial credit plus every admin change of it,
-- a decrease counting negative). Authorisations take credit, refunds give it back, so
--   granted - sum(amount of AUTHORIZED payments) = credit
-- (REFUNDED payments gave their amount back; DECLINED and VOIDED ones never took any).
-- The default lets an instance of the previous version still running during a rolling update create
-- accounts. Weaker than it looks: such an instance does not add its admin credit changes to `granted`,
-- so accounts it sets during the rollout show as violations afterwards; running the backfill update
-- below again once the rollout is complete repairs them (billing-svc/README.md, "Correctness").
alter table account add column granted numeric(16, 2) not null default 0;

update account a
   set granted = a.credit + coalesce((select sum(p.amount)
                                        from payment p
                                       where p.customer_id = a.customer_id and p.status = 'AUTHORIZED'), 0);
