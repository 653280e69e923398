// Keeps the memory of large, short-lived buffers (photos, crops, feature maps, heatmaps: 0.1-10
// MB each, allocated and freed once per call) inside the process instead of returning it to
// the kernel after every call.
//
// glibc serves an allocation above its mmap threshold (128 KiB at start, raised only as such
// blocks are freed) with a fresh mmap and trims the heap's free top above 128 KiB, so every
// call's buffers were new pages: the kernel zeroes and maps each on its first touch. Measured
// in the gateway with heatmaps on, page faults took a fifth of its CPU time; with the
// thresholds raised a 512 px photo with heatmaps is served in about two thirds of the time
// (docs/BENCHMARKS.md). The cost is memory: freed buffers stay mapped for the next call (at
// most the trim threshold per malloc arena beyond what is in use).
//
//   int main(int argc, char** argv) {
//     skinlens::KeepLargeAllocationsInProcess();
//     ...
#pragma once

namespace skinlens {

// Allocations up to 32 MiB come from malloc's heaps, and a heap's free top is returned to the
// kernel only beyond 64 MiB. Call once, first thing in main (before threads start). Returns
// false where the C library does not support it (not glibc) or refused; nothing changes then.
bool KeepLargeAllocationsInProcess();

}  // namespace skinlens
