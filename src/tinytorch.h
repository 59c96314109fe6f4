// The one header users include: tensors, ops, autograd, nn, optim, data, io, training.
#pragma once
#include "autograd/autograd.h"
#include "core/generator.h"
#include "core/parallel.h"
#include "core/tensor.h"
#include "ops/ops.h"
