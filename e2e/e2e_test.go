// Package e2e tests the built takedown binary as a user runs it: the README's walkthrough
// against `takedown demo`, and durability of acknowledged reports across `kill -9`.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// binary is the takedown binary built once for all tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "takedown-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "takedown")
	build := exec.Command("go", "build", "-race", "-o", binary, "../cmd/takedown")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building takedown:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a takedown command running in the background.
type process struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{} // closed once the process exited and its stderr was read to the end
}

// lockedBuffer is a text buffer written by one goroutine and read by others.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) WriteLine(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s + "\n")
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs takedown with args and env in the background; the process is killed when the
// test ends. Its stderr lines go to lines, if not nil.
func start(t *testing.T, env []string, lines chan<- string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	cmd.Stdout = io.Discard
	p := &process{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.stderr.WriteLine(sc.Text())
			if lines != nil {
				select {
				case lines <- sc.Text():
				default:
				}
			}
		}
	}()
	go func() {
		cmd.Wait()
		pw.Close()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("stderr of takedown %s:\n%s", strings.Join(args, " "), p.stderr)
		}
	})
	return p
}

// waitFor waits until cond holds, failing the test after a generous limit (the machine may
// be busy; this is not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serve starts `takedown serve` on dir and returns its URL and process.
func serve(t *testing.T, dir string, extra ...string) (string, *process) {
	t.Helper()
	lines := make(chan string, 100)
	p := start(t, nil, lines, append([]string{"serve", "--data", dir, "--http", "127.0.0.1:0", "--log-format", "json"}, extra...)...)
	addr := regexp.MustCompile(`"url":"(http://[^"]+)"`)
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case line := <-lines:
			if m := addr.FindStringSubmatch(line); m != nil {
				return m[1], p
			}
		case <-p.done:
			t.Fatalf("takedown serve exited:\n%s", p.stderr)
		case <-timeout:
			t.Fatal("takedown serve did not start")
		}
	}
}

// run runs takedown to completion and returns its standard output.
func run(t *testing.T, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("takedown %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
