// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011),
// the counter-based generator behind rand/randn/randint on the GPU. Plain integer code so
// the host tests can check it against the published known-answer vectors.
#ifndef TT_PHILOX_H
#define TT_PHILOX_H

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define TT_HD __host__ __device__
#else
#define TT_HD
#endif

TT_HD inline unsigned int tt_mulhi32(unsigned int a, unsigned int b) { return (unsigned int)(((unsigned long long)a * b) >> 32); }

// c: the counter, replaced by the four outputs; (k0, k1): the key.
TT_HD inline void tt_philox4x32_10(unsigned int c[4], unsigned int k0, unsigned int k1) {
  for (int round = 0; round < 10; round++) {
    const unsigned int lo0 = 0xD2511F53u * c[0], hi0 = tt_mulhi32(0xD2511F53u, c[0]);
    const unsigned int lo1 = 0xCD9E8D57u * c[2], hi1 = tt_mulhi32(0xCD9E8D57u, c[2]);
    const unsigned int n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
}

#endif
