"""A synthetic application log: `size_mb` of lines, `error_rate` of them errors
drawn from known Cloud HSM failures and a few unknown ones."""

import random
import sys

ERRORS = [
    "C_Login failed with error code: 0xa3",
    "C_Initialize() failed with 00000005 (Failed to connect socket)",
    "HSM Error: RET_USER_LOGIN_FAILURE node={n}",
    "environment variable azcloudhsm_openssl_conf is not set",
    "Failed to connect socket, LIQUIDSECURITY: Daemon socket connection error",
    "ERROR upstream timed out after {n} ms talking to 10.0.{n}.4",
    "ERROR disk quota exceeded on /var/lib/app/{n}",
]


def generate(path: str, size_mb: float = 100, error_rate: float = 0.01, seed: int = 7, errors: list[str] = ERRORS) -> int:
    """Lines written. An error line is one of `errors`, formatted with a
    random `n` (and `m`, `k` derived from it) so repeats differ in numbers."""
    rng = random.Random(seed)
    target = int(size_mb * 1024 * 1024)
    written = lines = 0
    with open(path, "w", encoding="utf-8") as f:
        while written < target:
            buf = []
            for _ in range(10_000):
                n = rng.randrange(100_000)
                ts = f"2026-11-27T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{n % 1000:03d}Z"
                if rng.random() < error_rate:
                    msg = rng.choice(errors).format(n=n, m=n % 977, k=1000 + n % 13)
                else:
                    msg = f"INFO request id={n} path=/api/v1/items/{n} status=200 latency={n % 97}ms"
                buf.append(f"{ts} app-{n % 8} signer[{1000 + n % 50}]: {msg}\n")
            chunk = "".join(buf)
            f.write(chunk)
            written += len(chunk)
            lines += len(buf)
    return lines


if __name__ == "__main__":
    print(generate(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 100))
