package configs

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// MachineMemory returns the memory this process may use, in bytes, and where the figure
// comes from: /proc/meminfo's MemTotal, or the cgroup's memory.max (cgroup v2) when that
// is a number and lower. ok is false where neither can be read (not Linux): no memory
// check is made then.
func MachineMemory() (bytes int64, where string, ok bool) {
	total, ok := memTotal("/proc/meminfo")
	where = "MemTotal in /proc/meminfo"
	if limit, lok := cgroupLimit("/sys/fs/cgroup/memory.max"); lok && (!ok || limit < total) {
		total, where, ok = limit, "the cgroup's memory.max", true
	}
	return total, where, ok
}

// memTotal reads MemTotal (kB) from a meminfo file.
func memTotal(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || kb <= 0 || kb > 1<<53 {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

// cgroupLimit reads a cgroup v2 memory.max: a number of bytes, or "max" (no limit).
func cgroupLimit(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
