package graphs

import (
	"fmt"
	"hash/fnv"
	"time"
)

// The thread layouts a session with SessionOptions.ThreadLayouts can run its steps in
// (Session.SetThreadLayout, ChooseThreadLayout). Both compute the same values: they
// differ only in how many ops TensorFlow runs at once.
const (
	// FormInterOpDefault is the session's inter-op pool as SessionOptions.InterOpThreads
	// sizes it (0: a thread per core), so that ops whose inputs are ready run side by
	// side.
	FormInterOpDefault = "inter_op_default"
	// FormInterOpOne is a pool of one inter-op thread: one op at a time, each on all the
	// intra-op threads. A graph of large multi-threaded ops (a DCGAN's convolutions)
	// loses nothing by running them in turn, where two side by side share the same
	// intra-op threads and caches; a graph of many small single-threaded ops (an unrolled
	// LSTM) loses its parallelism (imdb_tuned ran at half speed with one inter-op thread,
	// imdb_cnn_lstm at 0.7×, on a 2-core AMD EPYC Zen 5 in session 22).
	FormInterOpOne = "inter_op_1"
)

// layoutRuns is how many timed steps a layout gets in each round (ChooseThreadLayout): a
// step is long (a DCGAN's is 0.15–0.35 s on 2 cores), and the layouts, always close, get
// all three rounds (closeRatio, confirmRounds), whose shortest counts: with the session's
// first step, 7 steps in all.
const layoutRuns = 1

// ChooseThreadLayout chooses the thread layout sess runs g's training step in, as a kernel
// form is chosen (Choose): the resumed run's recorded layout, else the cache's, else the
// faster of FormInterOpDefault (the rule) and FormInterOpOne as step times them in sess
// itself; and sets it (Session.SetThreadLayout). name says what the step trains (the key's
// first words, such as "gan images[256,28,28,1]"); the key adds g's number of ops and
// Fingerprint, so another model, or the same one built another way, is measured again.
// step runs one training step on a batch of the run's size; nil: nothing is measured (the
// rule, or the cache's or checkpoint's layout).
//
// The timed steps train sess's variables; ChooseThreadLayout gives every variable its
// initial value again after them (Session.InitVariables), so the run starts where it
// would have. Call it right after the session starts, before any weights are restored or
// loaded. A session without ThreadLayouts, or one whose default pool has one thread
// already, keeps its layout.
func (g *Graph) ChooseThreadLayout(name string, sess *Session, step func() error) (string, error) {
	if !sess.layouts || sess.interOp == 1 {
		return FormInterOpDefault, nil
	}
	ran, warmed := false, false
	var trial trialMaker
	if step != nil {
		trial = func(form string) (Trial, error) {
			return &layoutTrial{sess: sess, form: form, step: step, ran: &ran, warmed: &warmed}, nil
		}
	}
	key := fmt.Sprintf("Session %s ops %d fingerprint %s", name, g.NumOps(), g.Fingerprint())
	form := g.choose(key, []string{FormInterOpDefault, FormInterOpOne}, FormInterOpDefault, FormInterOpDefault, trial)
	if ran {
		if err := sess.InitVariables(); err != nil {
			return "", fmt.Errorf("graphs: initializing the variables again after timing the thread layouts: %w", err)
		}
	}
	return form, sess.SetThreadLayout(form)
}

// layoutTrial times one thread layout of a training step in the model's own session.
type layoutTrial struct {
	sess        *Session
	form        string
	step        func() error
	ran, warmed *bool // shared by the layouts' trials: a step has run; the first one is done
}

// Time runs layoutRuns steps in the layout, after one untimed step if it is the session's
// first (TensorFlow optimizes the graph and oneDNN creates its primitives), and returns the
// shortest; a step above runCut times limit ends the round early.
func (t *layoutTrial) Time(limit time.Duration) (time.Duration, error) {
	if err := t.sess.SetThreadLayout(t.form); err != nil {
		return 0, err
	}
	run := func() (time.Duration, error) {
		*t.ran = true
		t0 := time.Now()
		if err := t.step(); err != nil {
			return 0, fmt.Errorf("graphs: a training step to time: %w", err)
		}
		return time.Since(t0), nil
	}
	if !*t.warmed {
		if _, err := run(); err != nil {
			return 0, err
		}
		*t.warmed = true
	}
	var best time.Duration
	for i := range layoutRuns {
		d, err := run()
		if err != nil {
			return 0, err
		}
		if i == 0 || d < best {
			best = d
		}
		if limit > 0 && float64(best) > runCut*float64(limit) {
			break
		}
	}
	return best, nil
}

func (t *layoutTrial) Close() {}

// NumOps is the number of operations in g.
func (g *Graph) NumOps() int { return len(g.tfg.Operations()) }

// Fingerprint is a hash of g's operations (FNV-64a of each one's name, type, and its
// outputs' dtypes and shapes, in the graph's order), in hex: the same for the same graph
// built again, whatever TensorFlow's serialization of it.
func (g *Graph) Fingerprint() string {
	h := fnv.New64a()
	for _, o := range g.tfg.Operations() {
		fmt.Fprintf(h, "%s\x00%s\x00", o.Name(), o.Type())
		for i := range o.NumOutputs() {
			out := o.Output(i)
			fmt.Fprintf(h, "%d:", out.DataType())
			if shape, err := out.Shape().ToSlice(); err == nil {
				fmt.Fprint(h, shape)
			} else {
				fmt.Fprint(h, "?")
			}
		}
		h.Write([]byte{'\n'})
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
