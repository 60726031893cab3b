"""The outbox's way in: the sync API, conflicts, the service worker, the manifest, the
offline and outbox pages.

Routes: sync.blueprint."""
