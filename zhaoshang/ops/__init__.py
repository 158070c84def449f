"""Running the platform in production: scheduled jobs, the outbox sweep, backup and restore,
health. Imports domain apps only through settings (dotted paths), like ``daily_scan``."""
