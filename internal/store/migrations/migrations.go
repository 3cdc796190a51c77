// Package migrations holds the store's versioned schema as goose SQL files.
// The same files run on SQLite and PostgreSQL, so they use only the types
// and statements both understand: TEXT, BIGINT, DOUBLE PRECISION, SMALLINT.
// Times are Unix milliseconds (UTC) so that both compare them the same way.
//
// Never edit a migration that has been released: add a new numbered file.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_description.sql.
//
//go:embed *.sql
var FS embed.FS
