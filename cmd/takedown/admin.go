package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog/publisher"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/webui"
)

// adminCommands work offline on a data directory, as its owner. They bootstrap the first
// administrator, and they are the only way to add, unlock or disable staff accounts
// (officers, supervisors, the controller, administrators): no API token can. A running
// server may use the directory meanwhile.
func adminCommands() []command {
	return []command{
		{"admin user add", "add a user offline (--data DIR); prints its token as the last line", runAdminUserAdd},
		{"admin user token", "issue a new token for a user offline (--data DIR); prints it last", runAdminUserToken},
		{"admin user link", "print a one-time link that signs a user in to the console, valid 15 minutes (--data DIR)", runAdminUserLink},
		{"admin user password", "set a user's console password, read from standard input (--data DIR; --remove to remove it)", runAdminUserPassword},
		{"admin user disable", "disable a user and revoke its tokens offline (--data DIR)", runAdminUserDisable},
		{"admin user list", "list users offline (--data DIR)", runAdminUserList},
		{"admin operator add", "register an operator offline (--data DIR)", runAdminOperatorAdd},
		{"admin purge", "purge what the retention makes due and no legal hold keeps, offline (--data DIR; --dry-run lists it)", runAdminPurge},
		{"admin log-key create", "make the log's signing key before the first start, to give its public key to the controller (--data DIR --origin ORIGIN)", runAdminLogKeyCreate},
		{"admin log-key show", "print the public keys that verify the audit log's checkpoints (--data DIR)", runAdminLogKeyShow},
		{"admin log-key rotate", "start a rotation of the log's signing key: a new key signs, the old one too until retired", runAdminLogKeyRotate},
		{"admin migrate-store", "copy the SQLite database into an empty PostgreSQL schema and verify the copy (--from sqlite:PATH --to postgres://…)", runAdminMigrateStore},
		{"admin log-key retire", "end a key rotation: the previous key stops signing and is deleted", runAdminLogKeyRetire},
	}
}

// logKeyFlag adds the --log-key-file flag of the offline log-key commands.
func logKeyFlag(fs *flag.FlagSet, e *env) *string {
	return fs.String("log-key-file", e.getenv("TAKEDOWN_LOG_KEY_FILE"), "the log's key file, if not log.key in the data directory [TAKEDOWN_LOG_KEY_FILE]")
}

// logKeyArgs parses the flags of a log-key command and returns the key file.
func logKeyArgs(e *env, name string, args []string) (data *storeConfig, keyFile string, err error) {
	fs := newFlags(e, name, "--data DIR [--db URL] [--log-key-file FILE]")
	data = dataFlag(fs, e)
	file := logKeyFlag(fs, e)
	if _, err := parse(fs, args, 0); err != nil {
		return nil, "", err
	}
	if err := data.Validate(); err != nil {
		return nil, "", err
	}
	if data.Data == "" {
		return nil, "", errNoData
	}
	if *file == "" {
		*file = logKeyPath(data.Data)
	}
	return data, *file, nil
}

func runAdminLogKeyCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin log-key create", "--data DIR --origin ORIGIN [--log-key-file FILE]")
	dataDir := fs.String("data", e.getenv("TAKEDOWN_DATA"), "data directory [TAKEDOWN_DATA]")
	file := logKeyFlag(fs, e)
	origin := fs.String("origin", e.getenv("TAKEDOWN_LOG_ORIGIN"), "the log's name, such as authority.example/takedown-log [TAKEDOWN_LOG_ORIGIN]")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *file == "" {
		if *dataDir == "" {
			return errNoData
		}
		if err := os.MkdirAll(*dataDir, 0o700); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
		*file = logKeyPath(*dataDir)
	}
	if *origin == "" {
		return takedown.Invalid("origin", "is required: the log's name, such as authority.example/takedown-log")
	}
	vkey, err := publisher.CreateKey(*file, *origin)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "The audit log's signing key is in %s. Its public key, for the controller and its witness:\n%s\n", *file, vkey)
	return nil
}

func runAdminLogKeyShow(ctx context.Context, e *env, args []string) error {
	_, file, err := logKeyArgs(e, "admin log-key show", args)
	if err != nil {
		return err
	}
	keys, err := publisher.LoadKeys(file, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "The audit log %s is verified with:\n", keys.Origin)
	for i, k := range keys.Public {
		note := "current key"
		if i > 0 {
			note = "previous key, still signing during a rotation"
		}
		fmt.Fprintf(e.stdout, "%s    (%s)\n", k, note)
	}
	return nil
}

// recordLogKeys records the keys' change in the log, as the local administrator.
func recordLogKeys(ctx context.Context, e *env, data *storeConfig, file, change string) error {
	keys, err := publisher.LoadKeys(file, "")
	if err != nil {
		return err
	}
	svc, ctx, done, err := offline(ctx, e, data)
	if err != nil {
		return err
	}
	defer done()
	return svc.RecordLogKeys(ctx, change, keys.Public)
}

func runAdminLogKeyRotate(ctx context.Context, e *env, args []string) error {
	data, file, err := logKeyArgs(e, "admin log-key rotate", args)
	if err != nil {
		return err
	}
	vkey, err := publisher.RotateKey(file)
	if err != nil {
		return err
	}
	if err := recordLogKeys(ctx, e, data, file, "rotation started"); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "A new key signs the audit log's checkpoints from the server's next start, with the previous one beside it:\n%s\n"+
		"Give it to the controller and the witness; once they verify with it, run takedown admin log-key retire and restart.\n", vkey)
	return nil
}

func runAdminLogKeyRetire(ctx context.Context, e *env, args []string) error {
	data, file, err := logKeyArgs(e, "admin log-key retire", args)
	if err != nil {
		return err
	}
	if err := publisher.RetireKey(file); err != nil {
		return err
	}
	if err := recordLogKeys(ctx, e, data, file, "rotation ended"); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "The previous key is deleted; from the server's next start only the current key signs.")
	return nil
}

// dataFlag adds the flags of the offline commands: the data directory, and the database
// when it is PostgreSQL's.
func dataFlag(fs *flag.FlagSet, e *env) *storeConfig {
	var c storeConfig
	c.register(fs, e)
	return &c
}

// userArg parses the flags and the one USER argument of an offline command.
func userArg(fs *flag.FlagSet, args []string) (int64, error) {
	pos, err := parse(fs, args, 1)
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return 0, takedown.Invalid("USER", "%q is not a user id", pos[0])
	}
	return id, nil
}

// offline opens the data directory and its database, and returns the service and a context acting as its
// local administrator.
func offline(ctx context.Context, e *env, data *storeConfig) (*casework.Service, context.Context, func(), error) {
	db, v, err := data.open(takedown.SystemClock{})
	if err != nil {
		return nil, nil, nil, err
	}
	svc := casework.New(db, procedure.Default(), v)
	return svc, takedown.NewContextWithUser(ctx, casework.LocalAdmin), func() { db.Close() }, nil
}

func runAdminUserAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin user add", "--data DIR --role ROLE --name NAME [--operator ID]")
	data := dataFlag(fs, e)
	role := fs.String("role", "", "officer, supervisor, controller, operator, flagger or admin")
	name := fs.String("name", "", "the user's name")
	op := fs.Int64("operator", 0, "for the operator role: the operator the user belongs to")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	svc, ctx, done, err := offline(ctx, e, data)
	if err != nil {
		return err
	}
	defer done()
	u, token, err := svc.CreateUser(ctx, takedown.UserInput{Name: *name, Role: takedown.Role(*role), OperatorID: *op})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %d, %s (%s) added. Its token, shown only now:\n%s\n", u.ID, u.Name, u.Role, token)
	return nil
}

func runAdminUserToken(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin user token", "--data DIR USER [--revoke-others]")
	data := dataFlag(fs, e)
	revoke := fs.Bool("revoke-others", false, "make the user's earlier tokens stop working")
	userID, err := userArg(fs, args)
	if err != nil {
		return err
	}
	svc, ctx, done, err := offline(ctx, e, data)
	if err != nil {
		return err
	}
	defer done()
	token, err := svc.IssueToken(ctx, userID, *revoke)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "New token for user %d, shown only now:\n%s\n", userID, token)
	return nil
}

func runAdminUserLink(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin user link", "--data DIR USER [--public-url URL]")
	data := dataFlag(fs, e)
	base := fs.String("public-url", e.envOr("TAKEDOWN_PUBLIC_URL", "http://"+e.envOr("TAKEDOWN_HTTP", "127.0.0.1:8080")), "the address users reach the console at [TAKEDOWN_PUBLIC_URL]")
	userID, err := userArg(fs, args)
	if err != nil {
		return err
	}
	if err := checkWebURL("public-url", *base); err != nil {
		return err
	}
	svc, ctx, done, err := offline(ctx, e, data)
	if err != nil {
		return err
	}
	defer done()
	secret, err := svc.IssueSignInLink(ctx, userID)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Sign-in link for user %d, good once within %s; give it to the user only:\n%s\n",
		userID, takedown.SignInLinkLifetime, webui.SignInURL(*base, secret))
	return nil
}

func runAdminUserPassword(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin user password", "--data DIR USER [--remove] < password")
	data := dataFlag(fs, e)
	remove := fs.Bool("remove", false, "remove the password: the user signs in with links only")
	userID, err := userArg(fs, args)
	if err != nil {
		return err
	}
	password := ""
	if !*remove && e.stdin != nil {
		line, err := bufio.NewReader(io.LimitReader(e.stdin, takedown.MaxPasswordLength+2)).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("read the password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if !*remove && password == "" {
		return takedown.Invalid("password", "is empty: give it on standard input, or use --remove")
	}
	svc, ctx, done, err := offline(ctx, e, data)
	if err != nil {
		return err
	}
	defer done()
	if err := svc.SetPassword(ctx, userID, password); err != nil {
		return err
	}
	if *remove {
		fmt.Fprintf(e.stdout, "user %d has no password any more; it signs in with links only\n", userID)
	} else {
		fmt.Fprintf(e.stdout, "user %d signs in to the console with its name and this password\n", userID)
	}
	return nil
}

func runAdminUserDisable(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin user disable", "--data DIR USER")
	data := dataFlag(fs, e)
	userID, err := userArg(fs, args)
	if err != nil {
		return err
	}
	svc, ctx, done, err := offline(ctx, e, data)
	if err != nil {
		return err
	}
	defer done()
	u, err := svc.DisableUser(ctx, userID)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %d, %s (%s) is disabled; its tokens no longer work\n", u.ID, u.Name, u.Role)
	return nil
}

func runAdminUserList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin user list", "--data DIR")
	data := dataFlag(fs, e)
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	svc, ctx, done, err := offline(ctx, e, data)
	if err != nil {
		return err
	}
	defer done()
	var rows [][]string
	p := takedown.Page{Limit: takedown.MaxPageLimit}
	for {
		users, next, err := svc.Users(ctx, p)
		if err != nil {
			return err
		}
		for _, u := range users {
			rows = append(rows, []string{id(u.ID), u.Name, string(u.Role), id(u.OperatorID), yes(u.Disabled)})
		}
		if next == "" {
			break
		}
		p.Cursor = next
	}
	return table(e.stdout, []string{"ID", "NAME", "ROLE", "OPERATOR", "DISABLED"}, rows)
}

func runAdminOperatorAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin operator add", "--data DIR --kind KIND --name NAME --contact EMAIL [--language L] [--domain D]")
	data := dataFlag(fs, e)
	kind := fs.String("kind", "", "host, platform, publisher, isp or search_engine")
	name := fs.String("name", "", "the operator's name")
	contact := fs.String("contact", "", "the point of contact's e-mail address")
	var langs, domains listFlag
	fs.Var(&langs, "language", "a language of the operator, such as fr (repeat for several)")
	fs.Var(&domains, "domain", "a host name the operator hosts or serves (repeat for several)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	svc, ctx, done, err := offline(ctx, e, data)
	if err != nil {
		return err
	}
	defer done()
	o, err := svc.CreateOperator(ctx, takedown.OperatorInput{Name: *name, Kind: takedown.OperatorKind(*kind), Contact: *contact,
		Languages: langs, Domains: domains})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "operator %d, %s (%s) registered\n", o.ID, o.Name, o.Kind)
	return nil
}

func runAdminPurge(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin purge", "--data DIR [--dry-run]")
	data := dataFlag(fs, e)
	dry := fs.Bool("dry-run", false, "list what would be purged, purge nothing")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	svc, ctx, done, err := offline(ctx, e, data)
	if err != nil {
		return err
	}
	defer done()
	res, err := svc.Purge(ctx, *dry)
	if err != nil {
		return err
	}
	verb := "purged"
	if *dry {
		verb = "due (dry run, nothing purged)"
	}
	fmt.Fprintf(e.stdout, "%d pieces of evidence and %d contacts %s; %d legal holds kept due records\n", len(res.Evidence), len(res.Contacts), verb, len(res.Held))
	for _, ev := range res.Evidence {
		fmt.Fprintf(e.stdout, "evidence %d\tsha256 %s\n", ev.ID, ev.SHA256)
	}
	for _, id := range res.Contacts {
		fmt.Fprintf(e.stdout, "contact of report %d\n", id)
	}
	return nil
}
