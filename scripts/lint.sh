#!/usr/bin/env bash
# Checks the Swift sources against .swift-format (line length 140, no force unwrap, no
# force try, no implicitly unwrapped optional in the product's code; Tests/ and the two
# benchmark generators allow force unwraps through their own .swift-format). Uses the
# swift-format that ships with the Swift toolchain. Fix what it reports with:
#   swift format format -i -r Sources Tests Fuzz Package.swift
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict -r Sources Tests Fuzz Package.swift
echo "swift-format: clean"
