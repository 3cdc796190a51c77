// Package panics describes recovered panic values for the logs.
package panics

import (
	"fmt"
	"runtime"
)

// Detail describes a panic value for a log line: a runtime error's message,
// else only the value's type, since a value passed to panic could carry
// what someone wrote (a question, a user's name).
func Detail(v any) string {
	if re, ok := v.(runtime.Error); ok {
		return re.Error()
	}
	return fmt.Sprintf("%T", v)
}
