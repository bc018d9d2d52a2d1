#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Crash consistency of a reload load, killed at each system call that changes state:
# tests/e2e/crash.sh with CRASH_MODE=reload (one script each, to stay within run.sh's
# time limit per test).
CRASH_MODE=reload exec bash "$(dirname "$0")/crash.sh"
