-- The executive summary's inputs and its two action lists (lib/pipelines/customer-analytics/executive-summary.ts).
-- The transforms already read every order and item of the run's window; they add the summary's per-customer,
-- per-product and per-day sums of those rows to the same scans and keep them here (the "window parts"), so
-- generate_insights reads only the orders outside the window instead of the whole window again. Days and periods in
-- these parts are cut at DELIVERY_TIMEZONE midnights, as the summary's definitions say (docs/METRICS.md).
CREATE TABLE "analytics"."summary_customer_parts" (
	"task_id" uuid NOT NULL,
	"customer_id" bigint NOT NULL,
	"orders" integer NOT NULL,
	"total" numeric(14, 2) NOT NULL,
	"first_order_at" timestamp with time zone,
	"last_order_at" timestamp with time zone,
	"current_orders" integer NOT NULL,
	"current_revenue" numeric(14, 2) NOT NULL,
	"previous_orders" integer NOT NULL,
	"previous_revenue" numeric(14, 2) NOT NULL,
	CONSTRAINT "summary_customer_parts_task_id_customer_id_pk" PRIMARY KEY("task_id","customer_id")
);--> statement-breakpoint
CREATE TABLE "analytics"."summary_product_parts" (
	"task_id" uuid NOT NULL,
	"product_id" bigint NOT NULL,
	"velocity_units" integer NOT NULL,
	"current_revenue" numeric(14, 2) NOT NULL,
	"previous_revenue" numeric(14, 2) NOT NULL,
	CONSTRAINT "summary_product_parts_task_id_product_id_pk" PRIMARY KEY("task_id","product_id")
);--> statement-breakpoint
CREATE TABLE "analytics"."summary_daily_parts" (
	"task_id" uuid NOT NULL,
	"day" date NOT NULL,
	"orders" integer NOT NULL,
	"revenue" numeric(14, 2) NOT NULL,
	CONSTRAINT "summary_daily_parts_task_id_day_pk" PRIMARY KEY("task_id","day")
);--> statement-breakpoint
-- The churn rule's customers of a run, written once by the summary: its churn figures and at-risk-customers.csv both
-- read them, so the CSV lists exactly the customers the summary counts. Kept with the run's other results (the CSV is
-- served after staging is purged), hence the e-mail and acquisition date copied from the CRM staging.
CREATE TABLE "analytics"."at_risk_customers" (
	"task_id" uuid NOT NULL,
	"customer_id" bigint NOT NULL,
	"customer_email" text NOT NULL,
	"total_lifetime_value" numeric(14, 2) NOT NULL,
	"average_order_value" numeric(14, 2) NOT NULL,
	"total_orders" integer NOT NULL,
	"order_frequency" double precision NOT NULL,
	"days_since_last_order" integer NOT NULL,
	"mean_interval_days" numeric(10, 2) NOT NULL,
	"customer_segment" text NOT NULL,
	"acquisition_date" timestamp with time zone,
	"calculated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "at_risk_customers_task_id_customer_id_pk" PRIMARY KEY("task_id","customer_id")
);--> statement-breakpoint
-- The reorder rule's products of a run, every one of them (the summary lists the 50 most urgent, the
-- products-to-reorder.csv all), written once by the summary.
CREATE TABLE "analytics"."reorder_products" (
	"task_id" uuid NOT NULL,
	"product_id" bigint NOT NULL,
	"sku" text NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"stock_on_hand" integer NOT NULL,
	"units_sold_28_days" integer NOT NULL,
	"daily_velocity" double precision NOT NULL,
	"days_of_cover" double precision NOT NULL,
	"reorder_quantity" integer NOT NULL,
	"calculated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "reorder_products_task_id_product_id_pk" PRIMARY KEY("task_id","product_id")
);
