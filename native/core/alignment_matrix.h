// The matrix word alignment's DTW runs on (openai/whisper timing.py find_alignment), from the
// alignment heads' cross-attention weights: each head standardised over the token axis, median
// filtered along the audio axis, then the heads averaged. Computed in double in the order of
// src/alignment/attention-matrix.ts, whose results it reproduces bit for bit; done natively
// because the filter's 7-value medians over every head, token and position cost milliseconds
// in JavaScript.
#pragma once

namespace amanuensis {

// Median filter width of openai's find_alignment (medfilt_width).
constexpr int ALIGNMENT_MEDIAN_WIDTH = 7;

// weights [n_heads, n_tokens, n_positions] (rows of softmax weights); out [last_row - first_row,
// n_positions] row-major: rows [first_row, last_row) of the mean over heads of each head's
// standardised (population std over all n_tokens rows) and median-filtered weights (width 7,
// edges mirrored without repeating the edge sample, as torch's reflect padding; rows of at most
// 3 positions unfiltered). Returns false, leaving out undefined, when a value is not finite (a
// position every token weighs alike has no std): the JavaScript reference then decides.
// Requires 0 <= first_row < last_row <= n_tokens and n_positions >= 1.
bool alignment_matrix(const float * weights, int n_heads, int n_tokens, int n_positions, int first_row, int last_row,
                      double * out);

} // namespace amanuensis
