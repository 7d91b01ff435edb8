package sqlstore_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/store/storetest"
)

// TestConformance runs the storage suite against the SQL store on SQLite,
// and on PostgreSQL and MariaDB when LATCHKEY_TEST_POSTGRES_DSN and
// LATCHKEY_TEST_MYSQL_DSN are set.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqldb.DB) storetest.Stores {
		return sqlstore.New(db, nil)
	})
}
