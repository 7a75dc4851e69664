#include "alerts/delivery.hpp"
