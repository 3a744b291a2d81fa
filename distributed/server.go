package distributed

// #cgo LDFLAGS: -ltensorflow
// #include <stdlib.h>
// #include "tensorflow/c/c_api.h"
import "C"

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"

	tf "github.com/wamuir/graft/tensorflow"
	pb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// ServerOptions sizes the server's TensorFlow runtime. The server owns the task's devices
// and executors, so the thread pools are set here, not on the session.
type ServerOptions struct {
	// IntraOpThreads and InterOpThreads are ConfigProto's intra_op_parallelism_threads and
	// inter_op_parallelism_threads; 0 lets TensorFlow choose.
	IntraOpThreads int
	InterOpThreads int
}

// Server is one task's in-process TensorFlow gRPC server (tf.distribute.Server): it serves
// the task's devices to the cluster and is the master a session on [Server.Target] talks to.
type Server struct {
	cluster *Cluster
	opts    ServerOptions
	target  string

	mu sync.Mutex
	c  *C.TF_Server
}

// NewServer creates and starts the server of c's task, listening on the port of its
// address (on every interface, as TensorFlow's servers do). The ServerDef is the cluster,
// the task, protocol "grpc", and as default session config [Server.SessionConfig].
//
// A port already taken is an error wrapping [ErrPortInUse]; other failures wrap
// [ErrServer].
func NewServer(c *Cluster, opts ServerOptions) (*Server, error) {
	s := &Server{cluster: c, opts: opts}
	def, err := proto.Marshal(s.serverDef())
	if err != nil {
		return nil, fmt.Errorf("distributed: encoding ServerDef: %w", err)
	}
	where := fmt.Sprintf("server %s (%s)", c.Task, c.Address())
	if err := portFree(c.Address()); err != nil {
		return nil, &Error{Where: where, Err: err}
	}
	cdef := C.CBytes(def)
	defer C.free(cdef)
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	srv := C.TF_NewServer(cdef, C.size_t(len(def)), status)
	if err := statusErr(status); err != nil {
		return nil, &Error{Where: where, Err: classifyServerErr(err, c.Address())}
	}
	C.TF_ServerStart(srv, status)
	if err := statusErr(status); err != nil {
		C.TF_DeleteServer(srv) // not started: deleting is safe
		return nil, &Error{Where: where, Err: classifyServerErr(err, c.Address())}
	}
	s.c = srv
	s.target = C.GoString(C.TF_ServerTarget(srv))
	return s, nil
}

// serverDef is the task's ServerDef.
func (s *Server) serverDef() *pb.ServerDef {
	cluster := &pb.ClusterDef{}
	for _, job := range []string{JobChief, JobWorker} {
		addrs := s.cluster.Jobs[job]
		if len(addrs) == 0 {
			continue
		}
		tasks := map[int32]string{}
		for i, a := range addrs {
			tasks[int32(i)] = a
		}
		cluster.Job = append(cluster.Job, &pb.JobDef{Name: job, Tasks: tasks})
	}
	return &pb.ServerDef{
		Cluster:              cluster,
		JobName:              s.cluster.Task.Job,
		TaskIndex:            int32(s.cluster.Task.Index),
		DefaultSessionConfig: s.configProto(),
		Protocol:             "grpc",
	}
}

// configProto is MultiWorkerMirroredStrategy's graph-mode session config
// (CollectiveAllReduceStrategy._update_config_proto): the group leader, device filters
// that keep the session on this task's devices, and the thread pools. MWMS's
// scoped-allocator rewrite for CollectiveReduce is left out: it made no measurable
// difference here; [AllReduce.MeanPacked] is the way to fewer, larger collectives.
func (s *Server) configProto() *pb.ConfigProto {
	return &pb.ConfigProto{
		IntraOpParallelismThreads: int32(s.opts.IntraOpThreads),
		InterOpParallelismThreads: int32(s.opts.InterOpThreads),
		DeviceFilters:             []string{s.cluster.Task.String()},
		Experimental: &pb.ConfigProto_Experimental{
			CollectiveGroupLeader: s.cluster.Leader().Device(),
		},
		// The server makes the task's devices when it starts, before any session: on a GPU
		// it would take all of the GPU's memory then, as a tfrun session does not (graphs'
		// session config). Two tasks sharing a GPU need this.
		GpuOptions: &pb.GPUOptions{AllowGrowth: true},
	}
}

// Target is the session target of this server, "grpc://<host>:<port>" of its address.
func (s *Server) Target() string { return s.target }

// Cluster is the cluster the server was started for.
func (s *Server) Cluster() *Cluster { return s.cluster }

// SessionConfig is the serialized ConfigProto a session on this server uses: the collective
// group leader, this task's device filter, and the server's thread pool sizes.
func (s *Server) SessionConfig() ([]byte, error) {
	raw, err := proto.Marshal(s.configProto())
	if err != nil {
		return nil, fmt.Errorf("distributed: encoding ConfigProto: %w", err)
	}
	return raw, nil
}

// SessionOptions are graft's options for a session on this server: [Server.Target] and
// [Server.SessionConfig].
func (s *Server) SessionOptions() (*tf.SessionOptions, error) {
	cfg, err := s.SessionConfig()
	if err != nil {
		return nil, err
	}
	return &tf.SessionOptions{Target: s.target, Config: cfg}, nil
}

// Close stops the server as far as TensorFlow allows: it cannot shut a started gRPC server
// down (GrpcServer::Stop returns Unimplemented, which Close ignores, and deleting a started
// server aborts the process), so, like Python's tf.distribute.Server, Close leaves it to
// the process's exit: the port stays bound and the task keeps serving until then. Close is
// idempotent; afterwards Join returns at once.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c == nil {
		return nil
	}
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	C.TF_ServerStop(s.c, status)
	s.c = nil
	if err := statusErr(status); err != nil && C.TF_GetCode(status) != C.TF_UNIMPLEMENTED {
		return fmt.Errorf("distributed: stopping server %s: %w", s.cluster.Task, err)
	}
	return nil
}

// Join blocks until the server stops; a server that only serves (a task with nothing to
// train) calls it after NewServer.
func (s *Server) Join() error {
	s.mu.Lock()
	srv := s.c
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	C.TF_ServerJoin(srv, status)
	if err := statusErr(status); err != nil {
		return fmt.Errorf("distributed: joining server %s: %w", s.cluster.Task, err)
	}
	return nil
}

// statusErr converts a TF_Status into an error (nil for TF_OK).
func statusErr(status *C.TF_Status) error {
	if C.TF_GetCode(status) == C.TF_OK {
		return nil
	}
	return fmt.Errorf("%s", C.GoString(C.TF_Message(status)))
}

// portFree reports ErrPortInUse when the port of addr cannot be bound on every interface,
// where TensorFlow's gRPC server binds it (0.0.0.0:port). Asking first keeps gRPC's own
// report of the failed bind (a multi-line JSON error on standard error, which no log
// level silences) off the user's terminal; a port taken between this probe and
// TensorFlow's bind still gets classifyServerErr's error.
func portFree(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil // NewCluster validated addr; TensorFlow reports anything else
	}
	l, err := net.Listen("tcp4", net.JoinHostPort("0.0.0.0", port))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return &kindError{kind: ErrPortInUse, msg: fmt.Sprintf("port %s is already in use", port)}
		}
		return nil // e.g. no IPv4: let TensorFlow try and report
	}
	return l.Close()
}

// classifyServerErr wraps TensorFlow's error in ErrPortInUse when the gRPC server could not
// bind its port, in ErrServer otherwise.
func classifyServerErr(err error, addr string) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not start gRPC server") || strings.Contains(msg, "ddress already in use") {
		_, port, _ := net.SplitHostPort(addr)
		return &kindError{kind: ErrPortInUse, msg: fmt.Sprintf("port %s is already in use (TensorFlow: %s)", port, firstLine(msg))}
	}
	return &kindError{kind: ErrServer, msg: "TensorFlow: " + firstLine(msg)}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
