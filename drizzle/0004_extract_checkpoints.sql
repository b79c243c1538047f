CREATE TABLE "analytics"."extract_checkpoints" (
	"task_id" uuid NOT NULL,
	"step" text NOT NULL,
	"position" text,
	"rows" integer NOT NULL,
	"batches" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "extract_checkpoints_task_id_step_pk" PRIMARY KEY("task_id","step")
);
