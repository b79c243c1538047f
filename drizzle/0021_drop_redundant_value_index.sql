-- customer_metrics_task_value_id_idx (task_id, total_lifetime_value, customer_id) serves every read this one did:
-- the top-customers sort in both directions, the LTV histogram (index-only) and the insights ranking. Each index
-- costs the customer transform INSERT about a quarter of a second per million orders.
DROP INDEX "analytics"."customer_metrics_task_value_idx";