-- Event delivery per subscriber and per task, with no global horizon (lib/engine/dispatcher.ts explains the design).
-- The outbox (task_events) stays as it is and is still written by the same transactions; the dispatchers fan its
-- committed rows out into per-subscriber deliveries. The per-subscriber cursors read below pg_snapshot_xmin —
-- which any long transaction anywhere on the server held back — are replaced, and carried over first: an event a
-- cursor had passed is not delivered again, an event it had not reached becomes a pending delivery.
-- Written by hand (like 0009): the DDL is drizzle-kit's for db/schema/engine.ts, reordered so the carry-over runs
-- before event_cursors and task_events.txid are dropped.
CREATE TABLE "event_fanout" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"last_event_id" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_fanout_single_row" CHECK ("event_fanout"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "event_fanout_gaps" (
	"event_id" bigint PRIMARY KEY NOT NULL,
	"seen_xmax" "xid8" NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_subscribers" (
	"name" text PRIMARY KEY NOT NULL,
	"events" text[] NOT NULL,
	"start_after_event_id" bigint DEFAULT 0 NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subscriber" text NOT NULL,
	"event_id" bigint NOT NULL,
	"task_id" uuid NOT NULL,
	"event_name" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"dead_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_subscriber_event_subscribers_name_fk" FOREIGN KEY ("subscriber") REFERENCES "public"."event_subscribers"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_event_id_task_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."task_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "event_deliveries_event_subscriber_idx" ON "event_deliveries" USING btree ("event_id","subscriber");--> statement-breakpoint
CREATE INDEX "event_deliveries_due_idx" ON "event_deliveries" USING btree ("subscriber","event_id") WHERE "event_deliveries"."delivered_at" IS NULL AND "event_deliveries"."dead_at" IS NULL;--> statement-breakpoint
CREATE INDEX "event_deliveries_task_order_idx" ON "event_deliveries" USING btree ("subscriber","task_id","event_id") WHERE "event_deliveries"."delivered_at" IS NULL AND "event_deliveries"."dead_at" IS NULL;--> statement-breakpoint
CREATE INDEX "event_deliveries_dead_idx" ON "event_deliveries" USING btree ("dead_at") WHERE "event_deliveries"."dead_at" IS NOT NULL;--> statement-breakpoint

-- Carry-over. Every existing cursor becomes a subscriber; its event list is unknown here, so it wants every event
-- until its dispatcher registers it with the real list (which drops the pending deliveries it does not want).
INSERT INTO event_subscribers (name, events, start_after_event_id)
SELECT subscriber,
       ARRAY['task.started', 'task.completed', 'task.failed', 'task.cancelled', 'task.operation', 'step.started',
             'step.progress', 'step.retrying', 'step.failed', 'step.completed', 'step.cancelled',
             'step.resolved_manually'],
       0
  FROM event_cursors;--> statement-breakpoint
-- Events past a cursor (in its (txid, id) order) were not delivered to it: they become its pending deliveries.
INSERT INTO event_deliveries (subscriber, event_id, task_id, event_name)
SELECT c.subscriber, e.id, e.task_id, e.name
  FROM event_cursors c JOIN task_events e ON (e.txid, e.id) > (c.last_txid, c.last_event_id)
 ORDER BY e.id;--> statement-breakpoint
-- Everything visible now is fanned out (above); ids just below the mark that are not visible yet may belong to a
-- transaction still running and are remembered as gaps, like the fan-out does.
INSERT INTO event_fanout (id, last_event_id) SELECT 1, coalesce(max(id), 0) FROM task_events;--> statement-breakpoint
INSERT INTO event_fanout_gaps (event_id, seen_xmax)
SELECT g, pg_snapshot_xmax(pg_current_snapshot())
  FROM event_fanout f, generate_series(greatest(1, f.last_event_id - 9999), f.last_event_id) g
 WHERE NOT EXISTS (SELECT 1 FROM task_events e WHERE e.id = g);--> statement-breakpoint

DROP TABLE "event_cursors" CASCADE;--> statement-breakpoint
DROP INDEX "task_events_txid_idx";--> statement-breakpoint
ALTER TABLE "task_events" DROP COLUMN "txid";--> statement-breakpoint

/*
 * Fan-out: turns committed outbox rows into deliveries, one per subscriber that wants the event. Called by every
 * dispatcher; one at a time (the event_fanout row is taken with SKIP LOCKED, so a second caller returns at once).
 *
 * Why no horizon is needed: outbox ids are drawn when a row is inserted, not when it commits, so a row with a
 * smaller id may become visible after rows with larger ids. Instead of waiting until no such row can appear (the
 * old pg_snapshot_xmin rule, which any long transaction on the server held back), the mark moves to the largest id
 * read and every smaller id it passed without seeing is remembered in event_fanout_gaps. Each call first fans out
 * the gaps that have since committed. A gap is forgotten only when it can no longer fill: every transaction that
 * was running when it was seen (xid < seen_xmax) has ended — the transaction that drew the id takes its xid in the
 * same INSERT, before it could have been seen — and a minute has passed. A long transaction elsewhere therefore
 * only keeps a few gap ids listed a little longer; it never delays an event.
 *
 * Returns how many outbox rows above the mark were read (p_limit: call again) and how many deliveries were
 * created; announces new deliveries on nightshift_deliveries so idle dispatchers claim them at once.
 */
CREATE FUNCTION nightshift_fan_out_events(p_limit integer, OUT scanned integer, OUT created integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_last bigint;
  v_top bigint;
  v_new bigint[];
  v_filled bigint[];
BEGIN
  scanned := 0;
  created := 0;
  SELECT last_event_id INTO v_last FROM event_fanout WHERE id = 1 FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN;
  END IF;

  SELECT coalesce(array_agg(e.id), '{}') INTO v_filled
    FROM event_fanout_gaps g JOIN task_events e ON e.id = g.event_id;
  SELECT coalesce(array_agg(n.id ORDER BY n.id), '{}') INTO v_new
    FROM (SELECT id FROM task_events WHERE id > v_last ORDER BY id LIMIT p_limit) n;
  scanned := cardinality(v_new);
  v_top := coalesce(v_new[scanned], v_last);

  INSERT INTO event_deliveries (subscriber, event_id, task_id, event_name)
  SELECT s.name, e.id, e.task_id, e.name
    FROM task_events e JOIN event_subscribers s ON e.name = ANY (s.events) AND e.id > s.start_after_event_id
   WHERE e.id = ANY (v_filled || v_new)
   ORDER BY e.id
  ON CONFLICT (event_id, subscriber) DO NOTHING;
  GET DIAGNOSTICS created = ROW_COUNT;

  DELETE FROM event_fanout_gaps WHERE event_id = ANY (v_filled);
  INSERT INTO event_fanout_gaps (event_id, seen_xmax)
  SELECT missing.id, pg_snapshot_xmax(pg_current_snapshot())
    FROM (SELECT generate_series(v_last + 1, v_top) AS id EXCEPT SELECT unnest(v_new)) missing;
  DELETE FROM event_fanout_gaps
   WHERE seen_xmax <= pg_snapshot_xmin(pg_current_snapshot()) AND seen_at < now() - interval '1 minute';
  IF v_top > v_last THEN
    UPDATE event_fanout SET last_event_id = v_top, updated_at = now() WHERE id = 1;
  END IF;
  IF created > 0 THEN
    PERFORM pg_notify('nightshift_deliveries', '');
  END IF;
END $$;
