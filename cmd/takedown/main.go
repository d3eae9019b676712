// Command takedown runs the procedure against terrorist and child sexual abuse content
// online: `takedown serve` runs the authority's server, `takedown demo` runs it on a
// throw-away world with a clock you can advance, and every API operation has a client
// command (`takedown case list`, `takedown measure issue`, …). `takedown help` lists them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/takedown-project/takedown"
)

// command is one subcommand: a name such as "case list", a one-line summary, and its run
// function, which receives the arguments after the name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what commands share: the output streams and the environment.
type env struct {
	stdin          io.Reader // nil for none
	stdout, stderr io.Writer
	getenv         func(string) string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run finds the command named by the longest prefix of args and runs it. It returns the exit
// code: 0, or the code of the error (see takedown.ExitCode).
func run(ctx context.Context, e *env, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout, cmds, args)
		return 0
	}
	for n := min(len(args), 3); n > 0; n-- {
		name := strings.Join(args[:n], " ")
		for _, c := range cmds {
			if c.name == name {
				err := c.run(ctx, e, args[n:])
				return report(e.stderr, err)
			}
		}
	}
	fmt.Fprintf(e.stderr, "takedown: unknown command %q; run takedown help\n", strings.Join(args, " "))
	return 2
}

// report prints err for a person and returns the exit code.
func report(w io.Writer, err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	code := takedown.ErrorCode(err)
	var te *takedown.Error
	if errors.As(err, &te) {
		if te.Field != "" {
			fmt.Fprintf(w, "takedown: %s: %s: %s\n", code, te.Field, te.Message)
		} else {
			fmt.Fprintf(w, "takedown: %s: %s\n", code, te.Message)
		}
	} else {
		fmt.Fprintf(w, "takedown: %v\n", err)
	}
	return takedown.ExitCode(code)
}

// errUsage is returned after a usage message has been printed.
var errUsage = errors.New("usage")

// usage lists the commands, or those under a topic ("takedown help case").
func usage(w io.Writer, cmds []command, args []string) {
	topic := ""
	if len(args) > 1 {
		topic = args[1]
	}
	fmt.Fprintln(w, "takedown — the procedure against terrorist and child sexual abuse content online")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: takedown COMMAND [flags]     (takedown COMMAND -h for its flags)")
	fmt.Fprintln(w)
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		if topic == "" || strings.HasPrefix(c.name, topic) {
			fmt.Fprintf(w, "  %-28s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Client commands talk to a server: --server URL (or TAKEDOWN_SERVER) and --token TOKEN")
	fmt.Fprintln(w, "(or TAKEDOWN_TOKEN); read commands print a table, or JSON with --json.")
}

// commands lists every command.
func commands() []command {
	var all []command
	for _, group := range [][]command{serverCommands(), migrateCommands(), adminCommands(), clientCommands(), feedCommands(), webhookCommands(), logCommands(), witnessCommands(), pdqCommands(), hashbankCommands(), transparencyCommands(), evidenceCommands()} {
		all = append(all, group...)
	}
	return all
}

// newFlags returns a flag set that prints its usage to e.stderr and returns errors.
func newFlags(e *env, name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet("takedown "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: takedown %s %s\n\nFlags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags (allowing them after positional arguments too) and checks the number of
// positional arguments (any number if positional is negative).
func parse(fs *flag.FlagSet, args []string, positional int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if positional >= 0 && len(pos) != positional {
		fs.Usage()
		return nil, errUsage
	}
	return pos, nil
}

// envOr returns the environment variable's value, or def.
func (e *env) envOr(name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}
