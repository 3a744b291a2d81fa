package graphs

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
)

// Kernel forms: the ways tfrun can compute one op. Every op has TensorFlow's own kernel;
// conv.go adds the sub-pixel Conv2DBackpropInput and the batch-contracted
// Conv2DBackpropFilter, conv_filter_kernel.go tfrun's own Conv2DBackpropFilter kernel
// (FormOwnKernel), conv_bias.go a convolution's bias gradient as a Sum (FormSum).
const (
	FormTensorFlow      = "tensorflow"
	FormSubPixel        = "sub_pixel"
	FormBatchContracted = "batch_contracted"
)

// Where a choice came from (KernelChoice.Source).
const (
	SourceMeasured   = "measured"   // timed now, on this machine
	SourceCache      = "cache"      // a winner measured earlier on this machine (KernelCache)
	SourceCheckpoint = "checkpoint" // the form the resumed run started with
	SourceOff        = "off"        // autotuning off: TensorFlow's kernel
	SourceRules      = "rules"      // tfrun's fixed rule (no Autotune, or nothing measurable)
)

// KernelCache keeps the winners measured on this machine across runs (graphs/autotune's
// file in the user cache directory). Keys are Autotune keys; the cache holds one
// machine's (CPU, TensorFlow build, oneDNN setting) winners.
type KernelCache interface {
	Load(key string) (form string, ok bool)
	Store(key, form string)
}

// Candidate is one form of one op in one round of its timing, as Autotune.Measure sees it.
type Candidate struct {
	Key  string // the op, its shapes and dtype (KernelChoice.Key)
	Form string
	// Round is 0 for the first timing of every form, 1 to confirmRounds for the timings
	// again of the forms close to the fastest.
	Round int
	// Time runs the form in a scratch graph and session (built on the first call, kept
	// for the later rounds), a few times, and returns the shortest run. Autotune.Measure
	// may call it or not (tests return set durations).
	Time func() (time.Duration, error)
}

// KernelChoice is the form chosen for one op.
type KernelChoice struct {
	Key    string             `json:"key"`
	Form   string             `json:"form"`
	Source string             `json:"source"`
	Forms  []string           `json:"candidates"`
	Times  map[string]float64 `json:"seconds,omitempty"` // measured: each form's best run over its rounds
	// Rounds is how many rounds the forms were timed in (measured: 1 when one form was
	// clearly the fastest at once).
	Rounds int `json:"rounds,omitempty"`
}

// Autotune chooses, for a graph, the form of every op tfrun can compute more than one way
// (conv.go's convolution gradients and transposed convolutions, conv_bias.go's bias
// gradients), as cuDNN's autotune
// does: each candidate runs a few times in a scratch session when the graph is built and
// the fastest wins. A choice is made once per key (the op, its shapes, its dtype) and
// kept in Cache, so later runs on the same machine measure nothing. Set it with
// Graph.SetAutotune before building; without one the fixed rules measured on an AMD
// Zen 3 decide (and nothing is timed).
type Autotune struct {
	// Off makes every op TensorFlow's own kernel, nothing measured.
	Off bool
	// Batch is the batch size to measure with when the graph's batch dimension is
	// unknown (a placeholder's -1); with neither the fixed rule decides.
	Batch int
	// Session sizes the scratch sessions' thread pools, as the model's session's.
	Session SessionOptions
	// Cache keeps winners across runs; nil: none.
	Cache KernelCache
	// Resumed are the forms a resumed run's checkpoint recorded (by key): they are used
	// over the cache and measurements, so the run goes on with the forms it started with;
	// the ops it does not name take the fixed rules (see decide).
	Resumed map[string]string
	// Rules makes the fixed rules decide the ops Resumed does not name: for a checkpoint
	// that recorded no choices (a tfrun before autotuning), as they decided then, and in
	// tests, which must not depend on timing.
	Rules bool
	// Measure times a candidate; nil: Candidate.Time. Tests inject durations.
	Measure func(Candidate) (time.Duration, error)
	// Warn reports a candidate that failed to run; nil: ignored.
	Warn func(msg string)
	// ConvFilterKernel are the dtypes (float32, bfloat16) in which tfrun's own filter
	// gradient kernel is registered and runs on this CPU (package graphs/convkernel:
	// Register, Supported, SupportedBFloat16): a convolution's filter gradient in one of
	// them has FormOwnKernel among its candidates where it applies. Only a measurement
	// chooses it (never the fixed rules).
	ConvFilterKernel []tf.DataType
	// ConvInputKernel are the dtypes in which tfrun's own input gradient kernel for few
	// input channels is registered and runs here (graphs/convkernel: SupportedInput,
	// SupportedInputBFloat16): a convolution's input gradient (a transposed convolution)
	// in one of them has FormOwnKernel among its candidates where it applies. Only a
	// measurement chooses it.
	ConvInputKernel []tf.DataType
	// SessionFor, when set, sizes the scratch session of a form whose model would run
	// with other thread pools than Session (an LSTM built unrolled runs one op per
	// thread: classifier's sessionThreads); nil: Session for every form.
	SessionFor func(form string) SessionOptions

	choices map[string]KernelChoice
}

// Measuring reports whether a is set to measure the forms it has not chosen yet: not
// off, not keeping to the fixed rules. A nil Autotune does not.
func (a *Autotune) Measuring() bool { return a != nil && !a.Off && !a.Rules }

// SessionOf is the thread pools to time form with (SessionFor, else Session).
func (a *Autotune) SessionOf(form string) SessionOptions {
	if a.SessionFor != nil {
		return a.SessionFor(form)
	}
	return a.Session
}

// SetAutotune makes the ops built after the call take their forms from a (nil: the fixed
// rules).
func (g *Graph) SetAutotune(a *Autotune) { g.autotune = a }

// Autotune is the graph's Autotune, or nil.
func (g *Graph) Autotune() *Autotune { return g.autotune }

// Choices are the choices made so far, by key.
func (a *Autotune) Choices() []KernelChoice {
	out := make([]KernelChoice, 0, len(a.choices))
	for _, c := range a.choices {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Forms maps each key chosen so far to its form: what a checkpoint records.
func (a *Autotune) Forms() map[string]string {
	m := make(map[string]string, len(a.choices))
	for k, c := range a.choices {
		m[k] = c.Form
	}
	return m
}

// trialMaker builds one form of an op, ready to be timed (nil: the op is not measurable).
type trialMaker func(form string) (Trial, error)

// Choose returns the form of the op key among forms for an op whose forms are a layer's
// own (builders' LSTM: fused, unrolled, cell_kernel, ...), as the convolutions' are chosen: a
// resumed run's recorded form, else the cache's winner, else the fastest as the Trials
// that trial builds time them (rule's form first; trial nil: rule). Without an Autotune,
// with autotuning off (such an op has no "TensorFlow's own kernel" to fall back to) or
// keeping to the fixed rules, it is rule. The choice is recorded (Choices, Forms) like the
// convolutions'.
func (g *Graph) Choose(key string, forms []string, rule string, trial func(form string) (Trial, error)) string {
	return g.choose(key, forms, rule, rule, trial)
}

// choose returns the form of the op key among forms (TensorFlow's first), rule being the
// fixed rule's choice and trial building one form to time (nil: not measurable).
//
// offForm is the form with autotuning off: TensorFlow's kernel for the convolutions.
func (g *Graph) choose(key string, forms []string, rule, offForm string, trial trialMaker) string {
	a := g.autotune
	if a == nil {
		return rule
	}
	if c, ok := a.choices[key]; ok {
		return c.Form
	}
	c := a.decide(key, forms, rule, offForm, trial)
	if a.choices == nil {
		a.choices = map[string]KernelChoice{}
	}
	a.choices[key] = c
	return c.Form
}

// How forms are timed against each other (decide): every form once (round 0), then the
// forms within closeRatio of the fastest again, up to confirmRounds more rounds, in
// alternating order; a form's time is its shortest over the rounds. A machine shared with
// other work, or whose speed drifts (a virtual machine's neighbours), makes one timing of
// a form slower than it is; forms that are truly far apart are told apart in one round,
// and close ones, where such noise would decide, are timed on both sides of it.
const (
	closeRatio    = 1.25
	confirmRounds = 2
)

func (a *Autotune) decide(key string, forms []string, rule, offForm string, trial trialMaker) KernelChoice {
	c := KernelChoice{Key: key, Forms: forms}
	pick := func(form, source string) KernelChoice {
		c.Form, c.Source = form, source
		return c
	}
	form, named := a.Resumed[key]
	if named && slices.Contains(forms, form) {
		return pick(form, SourceCheckpoint)
	} else if named {
		a.warn(fmt.Sprintf("the checkpoint records form %q for %s, not one of %q: choosing again", form, key, forms))
	}
	// A resumed run's graph is the one its checkpoint was written from, and that run
	// recorded every choice it made: a key its checkpoint does not name is an op the tfrun
	// that wrote it did not choose a form for (a choice added since, as Conv2D's bias
	// gradient was), and built as the fixed rule does. So does the resumed run, to go on
	// bit for bit.
	if a.Rules || (len(a.Resumed) > 0 && !named) {
		return pick(rule, SourceRules)
	}
	if a.Off {
		return pick(offForm, SourceOff)
	}
	if a.Cache != nil {
		if form, ok := a.Cache.Load(key); ok && slices.Contains(forms, form) {
			return pick(form, SourceCache)
		}
	}
	if trial == nil {
		return pick(rule, SourceRules)
	}
	best, times, rounds := a.race(key, forms, rule, trial)
	if best == "" {
		return pick(rule, SourceRules)
	}
	if a.Cache != nil {
		a.Cache.Store(key, best)
	}
	c.Times, c.Rounds = times, rounds
	return pick(best, SourceMeasured)
}

// race times the forms as the constants above say and returns the fastest ("" when every
// form failed), each form's time in seconds and the rounds run. A form that fails is a
// warning and out of the race.
func (a *Autotune) race(key string, forms []string, rule string, trial trialMaker) (best string, times map[string]float64, rounds int) {
	measure := a.Measure
	if measure == nil {
		measure = func(c Candidate) (time.Duration, error) { return c.Time() }
	}
	trials := map[string]Trial{}
	defer func() {
		for _, t := range trials {
			t.Close()
		}
	}()
	times = map[string]float64{}
	var limit time.Duration // the best time so far: slower forms stop early against it
	timeForm := func(form string, round int) {
		d, err := measure(Candidate{Key: key, Form: form, Round: round, Time: func() (time.Duration, error) {
			t, ok := trials[form]
			if !ok {
				var err error
				if t, err = trial(form); err != nil {
					return 0, err
				}
				trials[form] = t
			}
			return t.Time(limit)
		}})
		if err != nil {
			a.warn(fmt.Sprintf("autotune: %s in form %s: %v", key, form, err))
			delete(times, form)
			if t, ok := trials[form]; ok {
				t.Close()
				delete(trials, form)
			}
			return
		}
		if prev, ok := times[form]; !ok || d.Seconds() < prev {
			times[form] = d.Seconds()
		}
	}
	fastest := func() string {
		best = ""
		for _, f := range forms {
			if t, ok := times[f]; ok && (best == "" || t < times[best]) {
				best = f
			}
		}
		if best != "" {
			limit = time.Duration(times[best] * float64(time.Second))
		}
		return best
	}
	// The fixed rule's form first: it is the likely winner, and the others stop early
	// when they are clearly slower (TensorFlow's bfloat16 convolution gradients run 20–40×
	// slower than the rewrites on a CPU without AVX512_BF16).
	order := append([]string{rule}, slices.DeleteFunc(slices.Clone(forms), func(f string) bool { return f == rule })...)
	for _, form := range order {
		timeForm(form, 0)
		fastest()
	}
	rounds = 1
	for round := 1; round <= confirmRounds; round++ {
		lead := fastest()
		var near []string
		for _, f := range order {
			if t, ok := times[f]; ok && t <= closeRatio*times[lead] {
				near = append(near, f)
			}
		}
		if len(near) < 2 {
			break
		}
		if round%2 == 1 {
			slices.Reverse(near) // the form timed last in round 0 first now
		}
		for _, form := range near {
			timeForm(form, round)
		}
		rounds++
	}
	return fastest(), times, rounds
}

func (a *Autotune) warn(msg string) {
	if a.Warn != nil {
		a.Warn(msg)
	}
}

// convProblem is one convolution as its gradients see it: the forward conv's input x
// [batch, h, w, cin], its filter [kh, kw, cin, cout] and its output dy [batch, oh, ow,
// cout] (the batch may be -1), strides, padding and dtype. A Conv2DTranspose is the
// Conv2DBackpropInput of the conv from its result to its input.
type convProblem struct {
	x, filter, dy []int64
	strides       [2]int
	padding       string
	dtype         tf.DataType
}

// key names one of the problem's ops for Autotune: its type, dtype, shapes (the batch
// being the one measured with) and geometry.
func (p convProblem) key(opType string, batch int64) string {
	dims := func(batched []int64) string {
		v := append([]int64{batch}, batched[1:]...)
		return strings.Trim(strings.ReplaceAll(fmt.Sprint(v), " ", ","), "[]")
	}
	return fmt.Sprintf("%s %s x[%s] filter[%s] dy[%s] strides[%d,%d] %s", opType, DTypeName(p.dtype),
		dims(p.x), strings.Trim(strings.ReplaceAll(fmt.Sprint(p.filter), " ", ","), "[]"), dims(p.dy),
		p.strides[0], p.strides[1], p.padding)
}

// convForms chooses the forms of the problem's input gradient (inputForms) and filter
// gradient (filterForms). On a
// platform with a GPU both are TensorFlow's kernels (cuDNN's).
func (g *Graph) convForms(p convProblem) (input, filter string) {
	if g.platform.GPU() {
		return FormTensorFlow, FormTensorFlow
	}
	ruleIn, ruleF := g.convRules(p)
	batch := p.x[0]
	if batch < 0 && g.autotune != nil && g.autotune.Batch > 0 {
		batch = int64(g.autotune.Batch)
	}
	measurable := batch > 0
	size := [3]int64{p.x[1], p.x[2], p.x[3]}
	input, filter = FormTensorFlow, FormTensorFlow
	if forms := g.inputForms(p, size); len(forms) > 1 {
		var t trialMaker
		if measurable {
			t = func(form string) (Trial, error) { return g.convTrial(p, batch, "Conv2DBackpropInput", form), nil }
		}
		input = g.choose(p.key("Conv2DBackpropInput", batch), forms, ruleIn, FormTensorFlow, t)
	}
	if forms := g.filterForms(p); len(forms) > 1 {
		var t trialMaker
		if measurable {
			t = func(form string) (Trial, error) { return g.convTrial(p, batch, "Conv2DBackpropFilter", form), nil }
		}
		filter = g.choose(p.key("Conv2DBackpropFilter", batch), forms, ruleF, FormTensorFlow, t)
	}
	return input, filter
}

// inputForms are the forms of the problem's input gradient, TensorFlow's first: the
// sub-pixel form where it applies, and tfrun's own kernel where it applies and the graph's
// Autotune says it runs (Autotune.ConvInputKernel).
func (g *Graph) inputForms(p convProblem, size [3]int64) []string {
	forms := []string{FormTensorFlow}
	if subPixelApplies(size, p.filter, p.dy, p.strides, p.padding) {
		forms = append(forms, FormSubPixel)
	}
	if g.autotune != nil && slices.Contains(g.autotune.ConvInputKernel, p.dtype) && ownInputKernelApplies(p) {
		forms = append(forms, FormOwnKernel)
	}
	return forms
}

// filterForms are the forms of the problem's filter gradient, TensorFlow's first: the
// batch-contracted form where it applies, and tfrun's own kernel where it applies and the
// graph's Autotune says it runs (Autotune.ConvFilterKernel).
func (g *Graph) filterForms(p convProblem) []string {
	forms := []string{FormTensorFlow}
	if batchContractedApplies(p.strides, p.padding) {
		forms = append(forms, FormBatchContracted)
	}
	if g.autotune != nil && slices.Contains(g.autotune.ConvFilterKernel, p.dtype) && ownFilterKernelApplies(p) {
		forms = append(forms, FormOwnKernel)
	}
	return forms
}

// convRules are the fixed rules tfrun chose by before it measured on the machine at hand
// (the top of conv.go): the sub-pixel input gradient with at least
// transposedConvMinChannels channels (any in bfloat16), and with it the batch-contracted
// filter gradient at stride 1 or in bfloat16.
func (g *Graph) convRules(p convProblem) (input, filter string) {
	input, filter = FormTensorFlow, FormTensorFlow
	if !g.useSubPixel(p.x[3], p.dtype, p.strides) {
		return input, filter
	}
	if subPixelApplies([3]int64{p.x[1], p.x[2], p.x[3]}, p.filter, p.dy, p.strides, p.padding) {
		input = FormSubPixel
	}
	if p.strides[0] == 1 || p.dtype == tf.Bfloat16 || batchContractedAnyStride {
		filter = FormBatchContracted
	}
	return input, filter
}
