"""`dockyard console`: a local web server and a page over the execution records, registrations and build
records the CLI reads, from any store (docs/console.md). Imports `runtime` and `builders`' records; only
`cli` and the `dockyard.remote` client (its index, value and log readers) import it."""
