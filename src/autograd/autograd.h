// Autograd public API: the graph types and grad mode (core/node.h), Tensor::backward (engine.cpp)
// and gradcheck. Include this, not the pieces.
#pragma once
#include "autograd/gradcheck.h"
#include "core/node.h"
