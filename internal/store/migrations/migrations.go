// Package migrations embeds the schema changes, one directory of numbered
// SQL files per dialect. Released files are never edited: a change is a new
// file with the next number in all three directories.
package migrations

import "embed"

// FS holds sqlite/, postgres/ and mysql/.
//
//go:embed sqlite postgres mysql
var FS embed.FS
