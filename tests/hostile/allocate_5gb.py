# attack: allocate 5 GB
# base: solution
import numpy as np

block = np.ones(5 * 2**30 // 8)
