// Command ferretdb-launcher runs FerretDB v1 with its SQLite backend through
// FerretDB's embeddable package. The `cmd/ferretdb` binary built by
// `go install` panics at start-up (its generated version file is not part of
// the Go module), the embeddable package does not.
//
// Usage:
//
//	ferretdb-launcher -listen 127.0.0.1:27018 -data ./data/ferretdb
//
// It prints one line "FERRETDB READY <addr>" on stdout once it accepts
// connections, and stops cleanly on SIGINT/SIGTERM.
//
// It is built against a patched FerretDB, not the module as downloaded:
// src/db/ferretdb.ts copies this folder and the FerretDB module into
// .cache/ferretdb/build/, applies sqlite-id-index.patch to the copy, points
// go.mod at it with a `replace`, and builds there (so `go build` in this folder
// gives an unpatched launcher; use `npx tsx scripts/db.ts build`). The patch
// makes the SQLite backend spell its `_id` lookups the way it spells the `_id`
// index (`->'_id'` instead of `->'$._id'`): SQLite only uses an expression
// index for the identical expression, so unpatched FerretDB scans the whole
// table on every find, update and delete by `_id` (~50 ms instead of under
// 1 ms at 30,000 documents). See the patch header and docs/database.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27018", "TCP address to listen on")
	data := flag.String("data", "data/ferretdb", "folder for the SQLite databases")
	logLevel := flag.String("log-level", "error", "log level: debug, info, warn, error")
	flag.Parse()

	dir, err := filepath.Abs(*data)
	if err != nil {
		fail("data folder: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail("data folder: %v", err)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("log level: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		fail("start: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// Wait until the port accepts connections, then announce readiness.
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", *listen, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case err := <-done:
			fail("run: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			fail("not listening on %s after 30s", *listen)
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("FERRETDB READY %s\n", *listen)

	if err := <-done; err != nil && ctx.Err() == nil {
		fail("run: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-launcher: "+format+"\n", args...)
	os.Exit(1)
}
