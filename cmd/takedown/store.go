package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/postgres"
	"github.com/takedown-project/takedown/sqlite"
	"github.com/takedown-project/takedown/vault"
)

// store is what serve and the offline commands need of a database: SQLite's or PostgreSQL's.
type store interface {
	takedown.Store
	Close() error
	// Ping checks that the database answers (the readiness probe).
	Ping(ctx context.Context) error
	// Lead runs lead while this process is the one that runs the scheduler, the checkpoints
	// and the outbox: always on SQLite, while it holds the leader lock on PostgreSQL.
	Lead(ctx context.Context, log *slog.Logger, lead func(context.Context))
}

// storeConfig is where the data lives: the data directory (keys, and the SQLite file), and
// the PostgreSQL database when there is one.
type storeConfig struct {
	Data       string
	DB         string // a postgres:// URL; "" for the SQLite file in Data
	DBFile     string // a file holding DB, for a URL with a password
	DBMaxConns int
}

func (c *storeConfig) register(fs *flag.FlagSet, e *env) {
	fs.StringVar(&c.Data, "data", e.getenv("TAKEDOWN_DATA"), "data directory: the keys, and the SQLite database unless --db names another [TAKEDOWN_DATA]")
	fs.StringVar(&c.DB, "db", e.getenv("TAKEDOWN_DB"),
		"the PostgreSQL database, as postgres://USER@HOST:PORT/DB?search_path=SCHEMA; default: takedown.db in the data directory (docs/operations.md) [TAKEDOWN_DB]")
	fs.StringVar(&c.DBFile, "db-file", e.getenv("TAKEDOWN_DB_FILE"), "file holding the --db URL, for one with a password [TAKEDOWN_DB_FILE]")
	conns, _ := strconv.Atoi(e.envOr("TAKEDOWN_DB_MAX_CONNS", "16"))
	fs.IntVar(&c.DBMaxConns, "db-max-conns", conns, "PostgreSQL connections this process opens at most; every replica opens its own [TAKEDOWN_DB_MAX_CONNS]")
}

// errNoData refuses a command that needs the data directory without one.
var errNoData = takedown.Invalid("data", "is required: the data directory (--data or TAKEDOWN_DATA)")

// Validate checks the database's configuration and reads the URL from its file.
func (c *storeConfig) Validate() error {
	switch {
	case c.DB != "" && c.DBFile != "":
		return takedown.Invalid("db", "and --db-file are two ways to give one database: give one")
	case c.DBMaxConns < 3:
		return takedown.Invalid("db-max-conns", "must be at least 3: the writer, the leader's lock and a read")
	}
	if c.DBFile != "" {
		b, err := os.ReadFile(c.DBFile)
		if err != nil {
			return takedown.Invalid("db-file", "%v", err)
		}
		c.DB, c.DBFile = strings.TrimSpace(string(b)), ""
	}
	if c.DB != "" && !postgres.IsURL(c.DB) {
		return takedown.Invalid("db", "%s is not a postgres:// URL (the SQLite database is the data directory's own)", postgres.Redact(c.DB))
	}
	return nil
}

// where names the database for messages and logs, without a password.
func (c *storeConfig) where() string {
	if c.DB != "" {
		return postgres.Redact(c.DB)
	}
	db, _ := dataPaths(c.Data)
	return db
}

// dataPaths are the files of a data directory.
func dataPaths(dir string) (db, vaultKey string) {
	return filepath.Join(dir, "takedown.db"), filepath.Join(dir, "vault.key")
}

// open opens the database and the data directory's vault, creating the directory, the
// SQLite file and the vault key if needed; PostgreSQL's schema must be up to date
// (takedown migrate).
func (c *storeConfig) open(clock takedown.Clock) (store, *vault.Vault, error) {
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	if c.Data == "" {
		return nil, nil, errNoData
	}
	// The directory holds the keys to the record and to reporters' contacts: only its owner
	// may enter it. A directory made here is; one that exists must already be.
	if err := os.MkdirAll(c.Data, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	info, err := os.Stat(c.Data)
	if err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, nil, takedown.Invalid("data", "%s is open to other users (mode %o); it holds the keys to the record and to reporters' contacts: run chmod 700 %s", c.Data, perm, c.Data)
	}
	var db store
	dbPath, keyPath := dataPaths(c.Data)
	if c.DB != "" {
		db, err = postgres.Open(context.Background(), c.DB, clock, postgres.Options{MaxConns: c.DBMaxConns})
	} else {
		db, err = sqlite.Open(dbPath, clock)
	}
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(keyPath); errors.Is(err, fs.ErrNotExist) {
		if err := refuseNewVault(db, c.where(), keyPath); err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	v, err := vault.Load(keyPath)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, v, nil
}

// refuseNewVault refuses to make a vault key for a database that already holds a record: a
// new key could not read the contacts and evidence sealed with the old one.
func refuseNewVault(db store, where, keyPath string) error {
	return db.View(context.Background(), func(tx takedown.Tx) error {
		users, _, err := tx.Users(takedown.Page{Limit: 1})
		if err != nil || len(users) == 0 {
			return err
		}
		return takedown.Errorf(takedown.EUNAVAILABLE, "%s holds a record but %s is missing: restore the vault key from its backup (every replica needs the same one); "+
			"a new key could not read the reporters' contacts and the evidence already stored", where, keyPath)
	})
}

// migrateCommands bring a database's schema up to date.
func migrateCommands() []command {
	return []command{
		{"migrate", "bring the database's schema up to date, before starting serve on a new version (--db URL)", runMigrate},
	}
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "--db URL | --data DIR")
	var c storeConfig
	c.register(fs, e)
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if c.DB == "" { // SQLite migrates as it opens
		if c.Data == "" {
			return takedown.Invalid("db", "is required: the database to migrate, as --db postgres://… (or --data DIR for its SQLite file)")
		}
		db, err := sqlite.Open(filepath.Join(c.Data, "takedown.db"), takedown.SystemClock{})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: the schema is up to date (version %d).\n", c.where(), sqlite.Latest())
		return db.Close()
	}
	from, to, err := postgres.Migrate(ctx, c.DB)
	if err != nil {
		return err
	}
	if from == to {
		fmt.Fprintf(e.stdout, "%s: the schema is up to date (version %d).\n", c.where(), to)
	} else {
		fmt.Fprintf(e.stdout, "%s: the schema went from version %d to %d.\n", c.where(), from, to)
	}
	return nil
}
