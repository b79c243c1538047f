-- The Slack channels an alert is routed to, by audience ({"engineers": "#x", "stakeholders": "#y"}), decided when it
-- is raised from the failed step's pipeline (its steps' metadata.channels); the resolve follow-ups go to the same
-- channels. Empty means the default channels (#data-team, #executive-alerts), which every alert before this used.
ALTER TABLE "alerts" ADD COLUMN "channels" jsonb DEFAULT '{}'::jsonb NOT NULL;
