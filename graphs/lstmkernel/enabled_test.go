package lstmkernel_test

import (
	"strings"
	"testing"

	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

func TestEnabled(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
		err   string
	}{
		{"", false, ""}, {"1", true, ""}, {"on", true, ""}, {"TRUE", true, ""},
		{"0", false, ""}, {"off", false, ""}, {" false ", false, ""},
		{"maybe", false, `TFRUN_CUSTOM_KERNELS="maybe": unknown value`},
	} {
		t.Run(tc.value, func(t *testing.T) {
			t.Setenv(lstmkernel.EnvVar, tc.value)
			got, err := lstmkernel.Enabled()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Enabled() = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
