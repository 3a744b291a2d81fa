package dropoutkernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Every vector form this CPU runs draws what the scalar form draws, bit for bit: at
// lengths around the vector forms' groups of blocks (32 blocks of four in AVX-512, 16 in
// AVX2) and counters whose low word carries into the high one inside a group, or whose
// high word wraps too. TestMaskMatchesTensorFlow checks the widest form against
// TensorFlow; this reaches the narrower ones as well.
func TestVectorFormsDrawTheSame(t *testing.T) {
	widest := forceISA(isaAVX512)
	defer forceISA(widest)
	lengths := []int{0, 1, 3, 4, 63, 64, 65, 127, 128, 129, 131, 4096, 4099, 10007}
	counters := [][2]uint64{{0, 0}, {7, 3}, {math.MaxUint64 - 40, 9}, {math.MaxUint64 - 3, math.MaxUint64}, {1<<32 - 5, 1<<32 - 1}}
	rng := rand.New(rand.NewPCG(8, 1))
	forms := 0
	for level := isaAVX2; level <= widest; level++ {
		forms++
		for _, n := range lengths {
			for _, counter := range counters {
				key := rng.Uint64()
				forceISA(isaScalar)
				want := uniform(n, key, counter)
				forceISA(level)
				if isa() != level {
					t.Fatalf("forced form %d, the kernel draws in form %d", level, isa())
				}
				got := uniform(n, key, counter)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("form %d, n %d, key %#x, counter %v: draw %d is %g, the scalar form's %g", level, n, key, counter, i, got[i], want[i])
					}
				}
			}
		}
	}
	if forms == 0 {
		t.Skip("this CPU runs neither AVX2 nor AVX-512: only the scalar form")
	}
	// The draws are not all alike (a form that wrote nothing would match zeros).
	u := uniform(64, 1, [2]uint64{})
	if fmt.Sprint(u[:4]) == fmt.Sprint(u[4:8]) {
		t.Fatalf("blocks 0 and 1 drew the same: %v", u[:8])
	}
}

// Forcing a form and undoing it: the form asked for, never wider than the CPU's widest,
// and back to the widest (so tests after this one draw as a training run does).
func TestForceISA(t *testing.T) {
	widest := forceISA(isaAVX512 + 1)
	if isa() != widest || widest < isaScalar || widest > isaAVX512 {
		t.Fatalf("forcing a form wider than any: the kernel draws in form %d, the widest is %d", isa(), widest)
	}
	for level := isaScalar; level <= widest; level++ {
		if w := forceISA(level); w != widest || isa() != level {
			t.Errorf("forceISA(%d): widest %d, drawing in form %d; want %d, %d", level, w, isa(), widest, level)
		}
	}
	forceISA(widest)
	if isa() != widest {
		t.Fatalf("undone: drawing in form %d, want the widest, %d", isa(), widest)
	}
}

// BenchmarkForms times each form this CPU runs drawing the 4,096 values the kernel draws at
// a time (its chunk), the output in cache: the Philox rounds alone.
func BenchmarkForms(b *testing.B) {
	widest := forceISA(isaAVX512)
	defer forceISA(widest)
	out := make([]float32, 4096)
	for level, name := range []string{"compiler", "avx2", "avx512"} { // isaScalar: the compiler's loop
		if level > widest {
			continue
		}
		b.Run(name, func(b *testing.B) {
			forceISA(level)
			b.SetBytes(int64(4 * len(out)))
			for i := 0; i < b.N; i++ {
				uniformInto(out, 1, [2]uint64{uint64(i), 0})
			}
		})
	}
}
