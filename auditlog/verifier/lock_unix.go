//go:build unix

package verifier

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockState takes the lock of the state file at path, a file beside it, so that two
// verifications cannot use the state at once: the one that finished last would otherwise
// write back an older checkpoint than the other saw. The lock is released by unlock, or by
// the system when the process ends, so a crash leaves nothing to clean up.
func lockState(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, &StateError{Path: path, Err: fmt.Errorf("lock it: %w", err)}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			err = errors.New("another verification is using it: wait for it to end")
		}
		return nil, &StateError{Path: path, Err: err}
	}
	return func() { f.Close() }, nil
}
