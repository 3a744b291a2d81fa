// Command serve is a small JSON prediction service for a classifier that tfrun exported
// (tfrun export), built the way Go services serve TensorFlow models: graft's
// LoadSavedModel (TensorFlow's C++ loader, as tfgo users call it) and the model's
// serving_default signature. It needs nothing from tfrun but the SavedModel.
//
//	go run ./examples/serve -model models/imdb               # listens on 127.0.0.1:8500
//	curl -d '{"instances": ["A wonderful film.", "Dull."]}' 127.0.0.1:8500/predict
//	{"predictions":[{"probability":0.91,"label":"positive","class_id":1},…]}
//
// POST /predict takes {"instances": [...]}, as TensorFlow Serving's REST API does: texts
// for a text classifier, [height][width][channels] arrays of 0–255 for an image
// classifier. Each instance gets its probability, label and class_id, or an "error" (a
// text that is not UTF-8, an image of the wrong size) while the others are answered. A
// request is refused whole with 405 (not POST), 413 (a body over -max-body) or 400
// (malformed JSON, more than -max-instances instances), with {"error": "..."}. At most
// -max-inflight requests run the model at once; the others wait.
//
// -bench N starts the service on a free loopback port, sends it N requests from
// -bench-workers clients and prints requests/s and latency percentiles.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

func main() {
	if _, set := os.LookupEnv("TF_CPP_MIN_LOG_LEVEL"); !set {
		os.Setenv("TF_CPP_MIN_LOG_LEVEL", "1") // TensorFlow's INFO lines (the loader's) off
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command, testable: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		modelDir = fs.String("model", "", "the SavedModel: its directory, or the export directory above it (the highest version is served)")
		addr     = fs.String("addr", "127.0.0.1:8500", "address to listen on")
		maxBody  = fs.Int64("max-body", 1<<20, "largest request body, bytes")
		maxInst  = fs.Int("max-instances", 64, "most instances per request")
		inFlight = fs.Int("max-inflight", runtime.GOMAXPROCS(0), "most requests running the model at once")
		threads  = fs.Int("threads", 0, "TensorFlow intra-op threads (0: one per core)")
		bench    = fs.Int("bench", 0, "run a loopback load test of this many requests and exit")
		workers  = fs.Int("bench-workers", 4, "concurrent clients of -bench")
		perReq   = fs.Int("bench-instances", 8, "instances per -bench request")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *modelDir == "" || fs.NArg() > 0 || *maxBody < 1 || *maxInst < 1 || *inFlight < 1 || *bench < 0 || *workers < 1 || *perReq < 1 {
		fmt.Fprintln(stderr, "usage: serve -model DIR [-addr 127.0.0.1:8500] [-max-body N] [-max-instances N] [-max-inflight N] [-bench N]")
		return 2
	}
	logger := log.New(stderr, "serve: ", log.LstdFlags)
	model, dir, err := loadModel(*modelDir, *threads)
	if err != nil {
		logger.Print(err)
		return 1
	}
	defer model.Session.Close()
	s, err := newServer(model, Limits{MaxBody: *maxBody, MaxInstances: *maxInst, MaxInFlight: *inFlight})
	if err != nil {
		logger.Printf("%s: %v", dir, err)
		return 1
	}
	if *bench > 0 {
		*addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Print(err)
		return 1
	}
	srv := newHTTPServer(s)
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/predict"
	if *bench > 0 {
		st, err := loadTest(url, s.sampleRequest(*perReq), *workers, *bench)
		if err != nil {
			logger.Print(err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: %d requests of %d instances from %d clients: %s\n", dir, *bench, *perReq, *workers, st)
		return 0
	}
	logger.Printf("serving %s on %s (POST {\"instances\": [...]})", dir, url)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	logger.Print("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Print(err)
		return 1
	}
	return 0
}

// newHTTPServer bounds how long a client may hold a connection.
func newHTTPServer(s *server) *http.Server {
	return &http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
}

// loadModel loads the SavedModel at dir, or the highest numbered version below it (the
// layout tfrun export and TensorFlow Serving use).
func loadModel(dir string, threads int) (*tf.SavedModel, string, error) {
	if _, err := os.Stat(filepath.Join(dir, "saved_model.pb")); err != nil {
		entries, rerr := os.ReadDir(dir)
		if rerr != nil {
			return nil, dir, fmt.Errorf("%s: not a SavedModel directory: %v", dir, rerr)
		}
		best := -1
		for _, e := range entries {
			if v, err := strconv.Atoi(e.Name()); err == nil && v > best && e.IsDir() {
				if _, err := os.Stat(filepath.Join(dir, e.Name(), "saved_model.pb")); err == nil {
					best = v
				}
			}
		}
		if best < 0 {
			return nil, dir, fmt.Errorf("%s: not a SavedModel directory: no saved_model.pb in it or in a numbered version below it", dir)
		}
		dir = filepath.Join(dir, strconv.Itoa(best))
	}
	// allow_growth: on a GPU, the server takes memory as the model needs it, not the whole GPU.
	cfg, err := proto.Marshal(&for_core_protos_go_proto.ConfigProto{IntraOpParallelismThreads: int32(threads),
		GpuOptions: &for_core_protos_go_proto.GPUOptions{AllowGrowth: true}})
	if err != nil {
		return nil, dir, err
	}
	m, err := tf.LoadSavedModel(dir, []string{"serve"}, &tf.SessionOptions{Config: cfg})
	if err != nil {
		return nil, dir, fmt.Errorf("%s: loading the SavedModel: %v", dir, err)
	}
	return m, dir, nil
}

// stats are a load test's results.
type stats struct {
	requests, failed int
	elapsed          time.Duration
	p50, p99, max    time.Duration
}

func (s stats) String() string {
	return fmt.Sprintf("%.0f requests/s, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed",
		float64(s.requests)/s.elapsed.Seconds(), ms(s.p50), ms(s.p99), ms(s.max), s.failed)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
