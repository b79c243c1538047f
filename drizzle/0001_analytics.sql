CREATE SCHEMA "analytics";
--> statement-breakpoint
CREATE TABLE "analytics"."customer_metrics" (
	"task_id" uuid NOT NULL,
	"customer_id" bigint NOT NULL,
	"customer_email" text NOT NULL,
	"total_lifetime_value" numeric(14, 2) NOT NULL,
	"average_order_value" numeric(14, 2) NOT NULL,
	"total_orders" integer NOT NULL,
	"order_frequency" double precision NOT NULL,
	"days_since_last_order" integer NOT NULL,
	"customer_segment" text NOT NULL,
	"acquisition_date" timestamp with time zone NOT NULL,
	"calculated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "customer_metrics_task_id_customer_id_pk" PRIMARY KEY("task_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "analytics"."daily_revenue" (
	"task_id" uuid NOT NULL,
	"day" date NOT NULL,
	"orders" integer NOT NULL,
	"revenue" numeric(14, 2) NOT NULL,
	CONSTRAINT "daily_revenue_task_id_day_pk" PRIMARY KEY("task_id","day")
);
--> statement-breakpoint
CREATE TABLE "analytics"."dashboard_snapshots" (
	"id" serial PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"window_start" date NOT NULL,
	"window_end" date NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"is_current" boolean DEFAULT false NOT NULL,
	"summary" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."insights" (
	"task_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"kind" text NOT NULL,
	"sentence" text NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "insights_task_id_position_pk" PRIMARY KEY("task_id","position")
);
--> statement-breakpoint
CREATE TABLE "analytics"."notification_deliveries" (
	"task_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"delivered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_deliveries_task_id_channel_pk" PRIMARY KEY("task_id","channel")
);
--> statement-breakpoint
CREATE TABLE "analytics"."product_metrics" (
	"task_id" uuid NOT NULL,
	"product_id" bigint NOT NULL,
	"sku" text,
	"name" text,
	"category" text,
	"units_sold" integer NOT NULL,
	"revenue" numeric(14, 2) NOT NULL,
	"orders_count" integer NOT NULL,
	"unique_customers" integer NOT NULL,
	"average_selling_price" numeric(14, 2) NOT NULL,
	"stock_on_hand" integer,
	"days_of_cover" double precision,
	"calculated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "product_metrics_task_id_product_id_pk" PRIMARY KEY("task_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "analytics"."staging_order_items" (
	"task_id" uuid NOT NULL,
	"order_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"quantity" integer NOT NULL,
	"price" numeric(12, 2) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."staging_orders" (
	"task_id" uuid NOT NULL,
	"order_id" bigint NOT NULL,
	"customer_id" bigint NOT NULL,
	"total_amount" numeric(12, 2) NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "staging_orders_task_id_order_id_pk" PRIMARY KEY("task_id","order_id")
);
--> statement-breakpoint
CREATE TABLE "analytics"."staging_products" (
	"task_id" uuid NOT NULL,
	"product_id" bigint NOT NULL,
	"sku" text NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"price" numeric(12, 2) NOT NULL,
	"stock_on_hand" integer NOT NULL,
	CONSTRAINT "staging_products_task_id_product_id_pk" PRIMARY KEY("task_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "analytics"."staging_users" (
	"task_id" uuid NOT NULL,
	"user_id" bigint NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"country" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "staging_users_task_id_user_id_pk" PRIMARY KEY("task_id","user_id")
);
--> statement-breakpoint
CREATE INDEX "customer_metrics_task_value_idx" ON "analytics"."customer_metrics" USING btree ("task_id","total_lifetime_value" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "customer_metrics_task_segment_idx" ON "analytics"."customer_metrics" USING btree ("task_id","customer_segment");--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_snapshots_task_idx" ON "analytics"."dashboard_snapshots" USING btree ("task_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_snapshots_one_current_idx" ON "analytics"."dashboard_snapshots" USING btree ("is_current") WHERE "analytics"."dashboard_snapshots"."is_current";--> statement-breakpoint
CREATE INDEX "dashboard_snapshots_window_idx" ON "analytics"."dashboard_snapshots" USING btree ("window_start","window_end","published_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "product_metrics_task_revenue_idx" ON "analytics"."product_metrics" USING btree ("task_id","revenue" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "staging_order_items_task_idx" ON "analytics"."staging_order_items" USING btree ("task_id","order_id");