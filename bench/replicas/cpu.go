package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpu is the processor time used so far, in seconds, as Linux's /proc counts it: by the
// whole machine, by the replicas, by PostgreSQL (its processes with their exited children,
// the connections' backends) and by this load generator. Where /proc is not, it stays zero.
type cpu struct {
	machine, replicas, postgres, bench float64
}

// ticks is the unit of /proc's times (USER_HZ, 100 on Linux).
const ticks = 100

func sampleCPU(replicas []*replica) cpu {
	var c cpu
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		// cpu  user nice system idle iowait irq softirq steal …: all but idle and iowait.
		fields := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
		for i, f := range fields[1:] {
			if n, err := strconv.ParseFloat(f, 64); err == nil && i != 3 && i != 4 && i < 8 {
				c.machine += n / ticks
			}
		}
	}
	for _, r := range replicas {
		c.replicas += procCPU(r.cmd.Process.Pid, false)
	}
	c.bench = procCPU(os.Getpid(), false)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if comm, err := os.ReadFile(d + "/comm"); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			pid, _ := strconv.Atoi(filepath.Base(d))
			c.postgres += procCPU(pid, true)
		}
	}
	return c
}

// procCPU returns the user and system time of a process, with its waited-for children's if
// children.
func procCPU(pid int, children bool) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// After the command's closing parenthesis: state (field 3) … utime (14), stime (15),
	// cutime (16), cstime (17).
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 15 {
		return 0
	}
	last := 12
	if children {
		last = 14
	}
	var t float64
	for _, f := range fields[11 : last+1] {
		n, _ := strconv.ParseFloat(f, 64)
		t += n / ticks
	}
	return t
}

// since describes the cores each part kept busy between before and c. What the machine did
// besides is the others' on a shared machine (and the kernel's, for the loopback).
func (c cpu) since(before cpu, elapsed time.Duration) string {
	cores := func(a, b float64) float64 { return (a - b) / elapsed.Seconds() }
	machine, replicas := cores(c.machine, before.machine), cores(c.replicas, before.replicas)
	postgres, bench := cores(c.postgres, before.postgres), cores(c.bench, before.bench)
	return fmt.Sprintf("cores busy: machine %.2f = replicas %.2f + PostgreSQL %.2f + load generator %.2f + the rest %.2f",
		machine, replicas, postgres, bench, max(0, machine-replicas-postgres-bench))
}

// loadAverage is the machine's load over the last 1, 5 and 15 minutes, as /proc has it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
