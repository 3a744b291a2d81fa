package distributed

import (
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	pb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

func TestServerDefAndSessionConfig(t *testing.T) {
	c, err := NewCluster(map[string][]string{
		JobChief:  {"10.0.0.1:2222"},
		JobWorker: {"10.0.0.2:2222", "10.0.0.3:2222"},
	}, Task{Job: JobWorker, Index: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cluster: c, opts: ServerOptions{IntraOpThreads: 3, InterOpThreads: 2}}

	def := s.serverDef()
	if def.Protocol != "grpc" || def.JobName != JobWorker || def.TaskIndex != 1 {
		t.Errorf("ServerDef protocol/job/task = %q %q %d, want grpc worker 1", def.Protocol, def.JobName, def.TaskIndex)
	}
	jobs := map[string]map[int32]string{}
	for _, j := range def.Cluster.Job {
		jobs[j.Name] = j.Tasks
	}
	if jobs[JobChief][0] != "10.0.0.1:2222" || jobs[JobWorker][1] != "10.0.0.3:2222" || len(jobs) != 2 {
		t.Errorf("ServerDef cluster = %v", jobs)
	}

	raw, err := s.SessionConfig()
	if err != nil {
		t.Fatal(err)
	}
	var cfg pb.ConfigProto
	if err := proto.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	for _, cp := range []*pb.ConfigProto{&cfg, def.DefaultSessionConfig} {
		if got := cp.GetExperimental().GetCollectiveGroupLeader(); got != "/job:chief/replica:0/task:0" {
			t.Errorf("collective_group_leader = %q, want /job:chief/replica:0/task:0", got)
		}
		if !slices.Equal(cp.DeviceFilters, []string{"/job:worker/task:1"}) {
			t.Errorf("device_filters = %q, want [/job:worker/task:1]", cp.DeviceFilters)
		}
		if cp.IntraOpParallelismThreads != 3 || cp.InterOpParallelismThreads != 2 {
			t.Errorf("threads %d/%d, want 3/2", cp.IntraOpParallelismThreads, cp.InterOpParallelismThreads)
		}
		if !cp.GetGpuOptions().GetAllowGrowth() {
			t.Errorf("gpu_options.allow_growth unset: the server would take a GPU's whole memory")
		}
	}
}

func TestServerStartsAndServes(t *testing.T) {
	c := newCluster(t, 0, 2, Task{Job: JobWorker, Index: 1})
	srv, err := NewServer(c, ServerOptions{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := "grpc://" + c.Address(); srv.Target() != want {
		t.Errorf("Target() = %q, want %q", srv.Target(), want)
	}
	conn, err := net.DialTimeout("tcp", c.Address(), time.Second)
	if err != nil {
		t.Errorf("the server does not accept connections on %s: %v", c.Address(), err)
	} else {
		conn.Close()
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestServerPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := NewCluster(map[string][]string{JobWorker: {l.Addr().String(), freeAddrs(t, 1)[0]}}, Task{Job: JobWorker})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(c, ServerOptions{})
	if err == nil {
		srv.Close()
		t.Fatalf("NewServer on a taken port succeeded")
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	want := "server /job:worker/task:0 (" + l.Addr().String() + "): port " + port + " is already in use"
	if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q (ErrPortInUse: %v), want ErrPortInUse containing %q", err, errors.Is(err, ErrPortInUse), want)
	}
}

// TestClassifyServerErr: a bind that loses the race after portFree's probe still gets
// ErrPortInUse from TensorFlow's own message (the first line of what TF_ServerStart said
// when the test above ran before the probe existed); anything else is ErrServer.
func TestClassifyServerErr(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		kind error
		want string
	}{
		{"UNKNOWN: Could not start gRPC server", ErrPortInUse, "port 4242 is already in use (TensorFlow: UNKNOWN: Could not start gRPC server)"},
		{"bind: Address already in use\nmore", ErrPortInUse, "port 4242 is already in use (TensorFlow: bind: Address already in use)"},
		{"INVALID_ARGUMENT: bad ServerDef\ndetail", ErrServer, "TensorFlow: INVALID_ARGUMENT: bad ServerDef"},
	} {
		err := classifyServerErr(errors.New(tc.msg), "127.0.0.1:4242")
		if !errors.Is(err, tc.kind) || err.Error() != tc.want {
			t.Errorf("classifyServerErr(%q) = %q (is %v: %v), want %q", tc.msg, err, tc.kind, errors.Is(err, tc.kind), tc.want)
		}
	}
}
