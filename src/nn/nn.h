// nn public API: Module, layers, normalisation, init, functional, losses.
#pragma once
#include "nn/functional.h"
#include "nn/init.h"
#include "nn/layers.h"
#include "nn/loss.h"
#include "nn/module.h"
#include "nn/normalization.h"
