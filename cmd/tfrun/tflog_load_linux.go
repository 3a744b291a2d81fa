package main

// TensorFlow's shared libraries log some INFO lines from their static initializers (the
// oneDNN note of tensorflow/core/util/port.cc), while the dynamic loader loads them: before
// Go's runtime starts, so before main can send descriptor 2 through the filter. Nor can
// TF_CPP_MIN_LOG_LEVEL be set for them: the only code that runs earlier, an executable's
// preinit_array, runs before libc's own initializer, which then resets environ to the
// process's original environment (setenv there is lost; getenv sees nothing).
//
// So the C code below holds standard error during the load instead. glibc calls an
// executable's preinit_array functions, with argc, argv and envp, before any shared
// library's initializer: tfrun_hold_stderr there points descriptor 2 at an anonymous
// memory file (memfd), unless the user asked for TensorFlow's logs (TF_CPP_MIN_LOG_LEVEL in
// envp, -v in argv: the same rule as wantTensorFlowInfo); the filter process always holds
// them, and drops them. The executable's own
// initializers run after every library's and before Go's runtime: tfrun_release_stderr
// there puts the real standard error back on descriptor 2 and keeps the memfd for
// quietTensorFlow to filter. Should a library crash or abort while it loads (a CPU without
// the instructions TensorFlow was built for, a LOG(FATAL)), a signal handler first copies
// what it wrote to the real standard error, so its last words are not lost.

/*
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int tfrun_held_fd = -1;     // the memfd that received descriptor 2's output during the load
static int tfrun_real_stderr = -1; // the real standard error, while descriptor 2 is held
static int tfrun_hold_ran;         // tfrun_hold_stderr ran (the linker kept .preinit_array)
static pid_t tfrun_pid;            // the process that holds (a forked child does not flush)

#define TFRUN_FILTER_ARG "__tfrun-stderr-filter" // stderrFilterArg

static const int tfrun_fatal_signals[] = {SIGABRT, SIGILL, SIGSEGV, SIGBUS, SIGFPE};
#define TFRUN_NSIG (sizeof tfrun_fatal_signals / sizeof tfrun_fatal_signals[0])
static struct sigaction tfrun_old_actions[TFRUN_NSIG];

// tfrun_has_prefix reports whether s starts with p.
static int tfrun_has_prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

// tfrun_wants_info is wantTensorFlowInfo's rule in C: TF_CPP_MIN_LOG_LEVEL in the
// environment, or a -v flag that is true (Go's flag package's spellings of true).
static int tfrun_wants_info(char **argv, char **envp) {
	for (char **e = envp; e != NULL && *e != NULL; e++) {
		if (tfrun_has_prefix(*e, "TF_CPP_MIN_LOG_LEVEL=")) return 1;
	}
	static const char *const truths[] = {"-v", "-v=1", "-v=t", "-v=T", "-v=true", "-v=TRUE", "-v=True"};
	for (char **a = argv; a != NULL && *a != NULL; a++) {
		const char *s = *a;
		if (s[0] == '-' && s[1] == '-') s++; // --v is -v
		for (size_t i = 0; i < sizeof truths / sizeof truths[0]; i++) {
			if (strcmp(s, truths[i]) == 0) return 1;
		}
	}
	return 0;
}

// tfrun_take_real takes the real standard error's descriptor, once: whoever gets it (the
// release, or a flush after a crash) puts it back on descriptor 2.
static int tfrun_take_real(void) { return __atomic_exchange_n(&tfrun_real_stderr, -1, __ATOMIC_SEQ_CST); }

// tfrun_flush_held copies what the memfd holds to the real standard error and puts that
// back on descriptor 2. Async-signal-safe.
static void tfrun_flush_held(void) {
	if (getpid() != tfrun_pid) return;
	int real = tfrun_take_real();
	if (real < 0) return;
	char buf[4096];
	off_t off = 0;
	ssize_t n;
	while ((n = pread(tfrun_held_fd, buf, sizeof buf, off)) > 0) {
		off += n;
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(real, buf + w, n - w);
			if (k <= 0) break;
			w += k;
		}
	}
	dup2(real, 2);
	close(real);
}

// tfrun_fatal handles a fatal signal during the load: the held output goes out, then the
// signal's default action ends the process as it would have.
static void tfrun_fatal(int sig) {
	tfrun_flush_held();
	signal(sig, SIG_DFL);
	raise(sig);
}

// tfrun_hold_stderr points descriptor 2 at a memfd until tfrun_release_stderr (or a crash).
static void tfrun_hold_stderr(int argc, char **argv, char **envp) {
	tfrun_hold_ran = 1;
	// The filter process (stderrFilterArg) loads the same libraries as the run it serves,
	// which has passed on their lines already: it always holds them, to drop them.
	int filter = argc > 1 && strcmp(argv[1], TFRUN_FILTER_ARG) == 0;
	if (!filter && tfrun_wants_info(argv + 1, envp)) return;
	if (fcntl(2, F_GETFD) < 0) return; // no standard error: the memfd would become it
	int held = memfd_create("tfrun-load-stderr", MFD_CLOEXEC);
	if (held < 0) return;
	int real = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (real < 0 || dup2(held, 2) < 0) {
		if (real >= 0) close(real);
		close(held);
		return;
	}
	tfrun_held_fd = held;
	tfrun_real_stderr = real;
	tfrun_pid = getpid();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tfrun_fatal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < TFRUN_NSIG; i++) sigaction(tfrun_fatal_signals[i], &sa, &tfrun_old_actions[i]);
	atexit(tfrun_flush_held); // a library that calls exit while it loads
}

__attribute__((section(".preinit_array"), used))
static void (*const tfrun_preinit)(int, char **, char **) = tfrun_hold_stderr;

// tfrun_release_stderr runs after every shared library's initializers, before Go's runtime.
__attribute__((constructor))
static void tfrun_release_stderr(void) {
	int real = tfrun_take_real();
	if (real < 0) return;
	for (size_t i = 0; i < TFRUN_NSIG; i++) sigaction(tfrun_fatal_signals[i], &tfrun_old_actions[i], NULL);
	dup2(real, 2);
	close(real);
}

static int tfrun_load_stderr_fd(void) { return tfrun_held_fd; }
static int tfrun_load_hook_ran(void) { return tfrun_hold_ran; }
static const char *tfrun_filter_arg(void) { return TFRUN_FILTER_ARG; }

static int tfrun_wants_info_go(char **argv, char **envp) { return tfrun_wants_info(argv, envp); }
*/
import "C"

import (
	"os"
	"unsafe"
)

// loadStderr is what TensorFlow's libraries wrote to standard error while they loaded,
// held back by the preinit hook; nil when nothing was held (the user asked for
// TensorFlow's logs, or holding failed). It is read from the start.
func loadStderr() *os.File {
	fd := int(C.tfrun_load_stderr_fd())
	if fd < 0 {
		return nil
	}
	f := os.NewFile(uintptr(fd), "tfrun-load-stderr")
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return nil
	}
	return f
}

// preinitFilterArg is the preinit hook's copy of stderrFilterArg, for a test.
func preinitFilterArg() string { return C.GoString(C.tfrun_filter_arg()) }

// loadHookRan reports whether the preinit hook ran in this process.
func loadHookRan() bool { return C.tfrun_load_hook_ran() != 0 }

// preinitWantsInfo is the preinit hook's decision for args (without the program's name)
// and env, for tests comparing it with wantTensorFlowInfo.
func preinitWantsInfo(args, env []string) bool {
	cArray := func(ss []string) **C.char {
		a := C.malloc(C.size_t(len(ss)+1) * C.size_t(unsafe.Sizeof((*C.char)(nil))))
		p := unsafe.Slice((**C.char)(a), len(ss)+1)
		for i, s := range ss {
			p[i] = C.CString(s)
		}
		p[len(ss)] = nil
		return (**C.char)(a)
	}
	free := func(a **C.char, n int) {
		for _, s := range unsafe.Slice(a, n) {
			C.free(unsafe.Pointer(s))
		}
		C.free(unsafe.Pointer(a))
	}
	argv, envp := cArray(args), cArray(env)
	defer free(argv, len(args))
	defer free(envp, len(env))
	return C.tfrun_wants_info_go(argv, envp) != 0
}
