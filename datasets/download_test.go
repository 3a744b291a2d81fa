package datasets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
)

// fetchServer serves on loopback only:
//
//	/good     the payload
//	/flaky    the first request sends half the payload then drops the connection;
//	          later ones send all of it
//	/missing  404
//
// and counts requests.
type fetchServer struct {
	*httptest.Server
	payload  []byte
	requests atomic.Int64
	flaky    atomic.Int64
}

func newFetchServer(t *testing.T) *fetchServer {
	t.Helper()
	s := &fetchServer{payload: []byte("IDX payload bytes, pretend this is a data set\n")}
	mux := http.NewServeMux()
	mux.HandleFunc("/good", func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		w.Write(s.payload)
	})
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		w.Header().Set("Content-Length", strconv.Itoa(len(s.payload)))
		if s.flaky.Add(1) == 1 {
			w.Write(s.payload[:len(s.payload)/2])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // drop the connection mid-body
		}
		w.Write(s.payload)
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		http.NotFound(w, r)
	})
	s.Server = httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(s.Close)
	return s
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// checkFiles fails unless dest holds want (or does not exist when want is nil)
// and no .part file is left.
func checkFiles(t *testing.T, dest string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(dest)
	switch {
	case want == nil && err == nil:
		t.Errorf("%s exists, want it absent", dest)
	case want != nil && err != nil:
		t.Errorf("reading %s: %v", dest, err)
	case want != nil && string(got) != string(want):
		t.Errorf("%s holds %q, want %q", dest, got, want)
	}
	if _, err := os.Stat(dest + ".part"); err == nil {
		t.Errorf("%s.part was left behind", dest)
	}
}

func TestFetch(t *testing.T) {
	s := newFetchServer(t)
	good := hashOf(s.payload)
	tests := []struct {
		name         string
		path, sha256 string
		existing     []byte // dest before the call; nil for none
		stalePart    bool   // a .part from an earlier interrupted run exists
		want         error
		fragments    []string
		wantFile     []byte
		wantRequests int64
	}{
		{name: "good file", path: "/good", sha256: good, wantFile: s.payload, wantRequests: 1},
		{name: "upper-case hex digits", path: "/good", sha256: upper(good), wantFile: s.payload, wantRequests: 1},
		{name: "bad hash", path: "/good", sha256: hashOf([]byte("other")), want: ErrChecksum,
			fragments: []string{"sha256 " + good, "want " + hashOf([]byte("other"))}, wantRequests: 1},
		{name: "existing good file is reused", path: "/good", sha256: good, existing: s.payload, wantFile: s.payload},
		{name: "existing bad file is replaced", path: "/good", sha256: good, existing: []byte("corrupt"), wantFile: s.payload, wantRequests: 1},
		{name: "bad download keeps existing file", path: "/good", sha256: hashOf([]byte("x")), existing: []byte("corrupt"),
			want: ErrChecksum, wantFile: []byte("corrupt"), wantRequests: 1},
		{name: "stale part file is overwritten", path: "/good", sha256: good, stalePart: true, wantFile: s.payload, wantRequests: 1},
		{name: "no hash downloads unverified", path: "/good", wantFile: s.payload, wantRequests: 1},
		{name: "no hash reuses any existing file", path: "/good", existing: []byte("anything"), wantFile: []byte("anything")},
		{name: "HTTP 404", path: "/missing", sha256: good, want: ErrIO, fragments: []string{"404"}, wantRequests: 1},
		{name: "malformed hash", path: "/good", sha256: "abc", want: ErrInvalidArgument, fragments: []string{`"abc" is not 64 hex digits`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "sub", "file.gz")
			if tt.existing != nil {
				writeFile(t, filepath.Dir(dest), filepath.Base(dest), tt.existing)
			}
			if tt.stalePart {
				writeFile(t, filepath.Dir(dest), filepath.Base(dest)+".part", []byte("half a fi"))
			}
			before := s.requests.Load()
			err := Fetch(context.Background(), s.URL+tt.path, dest, tt.sha256)
			checkErr(t, err, tt.want, append([]string{"fetch", s.URL + tt.path}, tt.fragments...)...)
			checkFiles(t, dest, tt.wantFile)
			if got := s.requests.Load() - before; got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
		})
	}
}

// upper upper-cases the hex digits a–f.
func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func TestFetchPartialThenRetry(t *testing.T) {
	s := newFetchServer(t)
	dest := filepath.Join(t.TempDir(), "file.gz")
	url := s.URL + "/flaky"
	err := Fetch(context.Background(), url, dest, hashOf(s.payload))
	checkErr(t, err, ErrIO, url, "interrupted")
	checkFiles(t, dest, nil)
	if err := Fetch(context.Background(), url, dest, hashOf(s.payload)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	checkFiles(t, dest, s.payload)
}

func TestFetchCanceled(t *testing.T) {
	s := newFetchServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dest := filepath.Join(t.TempDir(), "file")
	err := Fetch(ctx, s.URL+"/good", dest, hashOf(s.payload))
	checkErr(t, err, ErrIO, "context canceled")
	checkFiles(t, dest, nil)
}

func TestDownloadSource(t *testing.T) {
	s := newFetchServer(t)
	src := Source{
		Title: "test set",
		Dir:   "mnist",
		Files: []RemoteFile{
			{URL: s.URL + "/good", Name: "a.gz", SHA256: hashOf(s.payload)},
			{URL: s.URL + "/good", Name: "b.gz"},
		},
		Path: "mnist",
	}
	root := t.TempDir()
	got, err := downloadSource(context.Background(), src, root)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "mnist"); got != want {
		t.Errorf("path %s, want %s", got, want)
	}
	for _, name := range []string{"a.gz", "b.gz"} {
		checkFiles(t, filepath.Join(root, "mnist", name), s.payload)
	}
}

func TestDownloadUnknown(t *testing.T) {
	_, err := Download(context.Background(), "imagenet", t.TempDir())
	checkErr(t, err, ErrInvalidArgument, "imagenet", "valid: cifar10, fashion_mnist, imdb, mnist")
}

func TestSources(t *testing.T) {
	for name, src := range Sources {
		t.Run(name, func(t *testing.T) {
			if src.Title == "" || src.Path == "" || len(src.Files) == 0 {
				t.Errorf("incomplete source %+v", src)
			}
			if got := candidatePaths(name); len(got) == 0 || got[0] != src.Path {
				t.Errorf("Locate looks first at %q, Download writes %q", got, src.Path)
			}
			for _, f := range src.Files {
				if f.SHA256 != "" {
					if b, err := hex.DecodeString(f.SHA256); err != nil || len(b) != 32 || f.SHA256 != hex.EncodeToString(b) {
						t.Errorf("%s: SHA256 %q is not 64 lower-case hex digits", f.Name, f.SHA256)
					}
				}
				if filepath.Base(f.URL) != f.Name {
					t.Errorf("%s is fetched from %s", f.Name, f.URL)
				}
			}
		})
	}
}
