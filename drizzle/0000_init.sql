CREATE SCHEMA "demo";
--> statement-breakpoint
CREATE SCHEMA "shop";
--> statement-breakpoint
CREATE TABLE "demo"."chaos_settings" (
	"source" text PRIMARY KEY NOT NULL,
	"failure_rate" real DEFAULT 0 NOT NULL,
	"rate_limit_rate" real DEFAULT 0 NOT NULL,
	"hang_rate" real DEFAULT 0 NOT NULL,
	"latency_ms" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "demo"."crm_users" (
	"user_id" bigint PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"country" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "demo"."inventory_products" (
	"product_id" bigint PRIMARY KEY NOT NULL,
	"sku" text NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"price" numeric(12, 2) NOT NULL,
	"stock_on_hand" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shop"."order_items" (
	"order_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"quantity" integer NOT NULL,
	"price" numeric(12, 2) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shop"."orders" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"customer_id" bigint NOT NULL,
	"total_amount" numeric(12, 2) NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "demo"."slack_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel" text,
	"text" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "order_items_order_id_idx" ON "shop"."order_items" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "orders_created_at_idx" ON "shop"."orders" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "slack_messages_received_at_idx" ON "demo"."slack_messages" USING btree ("received_at");