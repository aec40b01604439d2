// The elementwise part of Silero VAD's LSTMCell: gate nonlinearities and the state update, for
// the 128 units of one frame, portable or with AVX2/FMA (vectorised sigmoid and tanh). No Node-API types.
#pragma once

#include "kernels/tensor_view.h"

namespace amanuensis {

// gates: the 512 pre-activations (input, forget, cell, output: PyTorch's LSTMCell order).
// c <- sigmoid(f) * c + sigmoid(i) * tanh(g); h <- sigmoid(o) * tanh(c).
void silero_lstm_update(const float * gates, float * c, float * h, kernel_path path);

} // namespace amanuensis
