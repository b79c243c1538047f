CREATE INDEX "customer_metrics_task_orders_idx" ON "analytics"."customer_metrics" USING btree ("task_id","total_orders","customer_id");--> statement-breakpoint
CREATE INDEX "customer_metrics_task_recency_idx" ON "analytics"."customer_metrics" USING btree ("task_id","days_since_last_order","customer_id");--> statement-breakpoint
CREATE INDEX "dashboard_snapshots_published_idx" ON "analytics"."dashboard_snapshots" USING btree ("published_at");--> statement-breakpoint
CREATE INDEX "product_metrics_task_cover_idx" ON "analytics"."product_metrics" USING btree ("task_id","days_of_cover");