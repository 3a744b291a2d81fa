//go:build linux && cgo

package graphs

// #define _GNU_SOURCE
// #include <ctype.h>
// #include <limits.h>
// #include <malloc.h>
// #include <pthread.h>
// #include <sched.h>
// #include <stdio.h>
// #include <stdlib.h>
// #include <string.h>
// #include <strings.h>
// #include <unistd.h>
//
// static int tfrun_cpus(void) {
// 	cpu_set_t set;
// 	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
// 	long n = sysconf(_SC_NPROCESSORS_ONLN);
// 	return n > 0 ? (int)n : 1;
// }
//
// // tfrun_on reports whether TFRUN_MALLOC's value turns the tuning on (decideMalloc's
// // rule: unset, empty, 1, true, on, in any case, spaces around ignored).
// static int tfrun_on(const char *v) {
// 	if (v == NULL) return 1;
// 	while (isspace((unsigned char)*v)) v++;
// 	size_t n = strlen(v);
// 	while (n > 0 && isspace((unsigned char)v[n - 1])) n--;
// 	return n == 0 || (n == 1 && v[0] == '1') || (n == 4 && strncasecmp(v, "true", 4) == 0) ||
// 		(n == 2 && strncasecmp(v, "on", 2) == 0);
// }
//
// static int tfrun_arenas_set = 0;
//
// // tfrun_early_limit is the arena limit tfrun_early_arenas sets, 0 for none: MallocArenas's
// // number when decideMalloc would tune (TFRUN_MALLOC on, none of glibcMallocVars set).
// // TestEarlyArenaRule checks that the two agree.
// static int tfrun_early_limit(void) {
// #if defined(__GLIBC__)
// 	static const char *user[] = {"MALLOC_MMAP_MAX_", "MALLOC_MMAP_THRESHOLD_",
// 		"MALLOC_TRIM_THRESHOLD_", "MALLOC_ARENA_MAX", "MALLOC_ARENA_TEST", "GLIBC_TUNABLES"};
// 	if (!tfrun_on(getenv("TFRUN_MALLOC"))) return 0;
// 	for (size_t i = 0; i < sizeof user / sizeof user[0]; i++) {
// 		const char *v = getenv(user[i]);
// 		if (v != NULL && v[0] != '\0') return 0;
// 	}
// 	int arenas = tfrun_cpus() / 4;
// 	return arenas < 1 ? 1 : arenas;
// #else
// 	return 0;
// #endif
// }
//
// // tfrun_early_arenas runs when the program is loaded, before Go's runtime starts the
// // threads that would each get an arena, and limits the arenas to tfrun_early_limit.
// __attribute__((constructor)) static void tfrun_early_arenas(void) {
// #if defined(__GLIBC__)
// 	int arenas = tfrun_early_limit();
// 	if (arenas > 0 && mallopt(M_ARENA_MAX, arenas) == 1) tfrun_arenas_set = arenas;
// #endif
// }
//
// static int tfrun_early_arenas_set(void) { return tfrun_arenas_set; }
//
// // tfrun_untune_arenas gives glibc's own limit back (8 arenas a CPU) if the constructor
// // set one.
// static void tfrun_untune_arenas(void) {
// #if defined(__GLIBC__)
// 	if (tfrun_arenas_set > 0) mallopt(M_ARENA_MAX, 8 * tfrun_cpus());
// 	tfrun_arenas_set = 0;
// #endif
// }
//
// static int tfrun_tune_malloc(int arenas) {
// #if defined(__GLIBC__)
// 	return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1 &&
// 		mallopt(M_ARENA_MAX, arenas) == 1;
// #else
// 	return 0;
// #endif
// }
//
// // tfrun_malloc_arenas counts the arenas in malloc_info's report (one <heap> each), -1
// // where there is no malloc_info.
// static int tfrun_malloc_arenas(void) {
// #if defined(__GLIBC__)
// 	char *buf = NULL;
// 	size_t len = 0;
// 	FILE *f = open_memstream(&buf, &len);
// 	if (f == NULL) return -1;
// 	if (malloc_info(0, f) != 0) { fclose(f); free(buf); return -1; }
// 	fclose(f);
// 	int n = 0;
// 	for (char *p = buf; (p = strstr(p, "<heap nr=")) != NULL; p++) n++;
// 	free(buf);
// 	return n;
// #else
// 	return -1;
// #endif
// }
//
// static pthread_barrier_t tfrun_all_in;
//
// static void *tfrun_alloc_thread(void *arg) {
// 	(void)arg;
// 	void *p = malloc(1 << 16);
// 	pthread_barrier_wait(&tfrun_all_in); // every thread holds its block at once
// 	free(p);
// 	return NULL;
// }
//
// // tfrun_alloc_on_threads starts n (at most 64) threads that each allocate a block while
// // all n are alive, so that glibc gives each a new arena while its limit allows.
// static int tfrun_alloc_on_threads(int n) {
// 	pthread_t ids[64];
// 	if (n > 64) n = 64;
// 	pthread_barrier_init(&tfrun_all_in, NULL, n);
// 	for (int i = 0; i < n; i++) {
// 		if (pthread_create(&ids[i], NULL, tfrun_alloc_thread, NULL) != 0) return -1;
// 	}
// 	for (int i = 0; i < n; i++) pthread_join(ids[i], NULL);
// 	pthread_barrier_destroy(&tfrun_all_in);
// 	return 0;
// }
import "C"

import "fmt"

// tuneMalloc applies TuneMalloc's settings with glibc's mallopt; false where it cannot.
func tuneMalloc(arenas int) bool { return C.tfrun_tune_malloc(C.int(arenas)) == 1 }

// untuneArenas gives glibc's arena limit back when tfrun_early_arenas had set one.
func untuneArenas() { C.tfrun_untune_arenas() }

// earlyLimit is the arena limit tfrun_early_arenas would set with the environment as it
// is now (0: none).
func earlyLimit() int { return int(C.tfrun_early_limit()) }

// earlyArenas is the arena limit set when the program was loaded (0: none).
func earlyArenas() int { return int(C.tfrun_early_arenas_set()) }

// mallocArenas is the number of arenas glibc's malloc has made so far (-1: unknown). With
// allocOnThreads it lets a test see the arena limit at work.
func mallocArenas() int { return int(C.tfrun_malloc_arenas()) }

// allocOnThreads starts n (at most 64) threads that allocate while all are alive.
func allocOnThreads(n int) error {
	if C.tfrun_alloc_on_threads(C.int(n)) != 0 {
		return fmt.Errorf("graphs: could not start %d threads", n)
	}
	return nil
}
