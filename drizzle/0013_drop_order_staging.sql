DROP TABLE "analytics"."staging_order_items" CASCADE;--> statement-breakpoint
DROP TABLE "analytics"."staging_orders" CASCADE;