namespace Sparsify.Core.Sparsity;

/// <summary>
/// Picks the k largest of non-negative scores, ties broken by the lower index, so every scheme is
/// deterministic. Non-negative floats order like their bit patterns read as unsigned integers, which
/// lets both paths work on integers: for small inputs a quickselect on packed (score, index) keys,
/// which are all distinct, so the result does not depend on the pivots; for large ones (a
/// 37-million-weight fc6) a two-pass radix select in linear time without the 8-byte keys.
/// </summary>
internal static class TopK
{
    private const int SelectLimit = 1 << 16;

    /// <summary>Sets <paramref name="keep"/>[i] for the <paramref name="k"/> largest <paramref name="scores"/>, clearing the rest.</summary>
    public static void SelectLargest(ReadOnlySpan<float> scores, int k, Span<bool> keep)
    {
        if (keep.Length != scores.Length)
        {
            throw new ArgumentException("keep must be as long as scores", nameof(keep));
        }

        var n = scores.Length;
        if (k >= n)
        {
            keep.Fill(true);
            return;
        }

        keep.Clear();
        if (k <= 0)
        {
            return;
        }

        if (n <= SelectLimit)
        {
            BySelect(scores, k, keep);
        }
        else
        {
            ByRadix(scores, k, keep);
        }
    }

    private static uint Key(float score) => BitConverter.SingleToUInt32Bits(score);

    private static void BySelect(ReadOnlySpan<float> scores, int k, Span<bool> keep)
    {
        // High half: the inverted key (largest first); low half: the index (lowest first on ties).
        var packed = new ulong[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            packed[i] = ((ulong)~Key(scores[i]) << 32) | (uint)i;
        }

        SelectSmallest(packed, k);
        for (var j = 0; j < k; j++)
        {
            keep[(int)(uint)packed[j]] = true;
        }
    }

    // Moves the k smallest of distinct keys to the front (in no order): Hoare quickselect, median-of-three pivots.
    private static void SelectSmallest(ulong[] keys, int k)
    {
        int left = 0, right = keys.Length - 1;
        while (right > left)
        {
            var middle = left + ((right - left) / 2);
            var pivot = Median(keys[left], keys[middle], keys[right]);
            int i = left, j = right;
            while (i <= j)
            {
                while (keys[i] < pivot)
                {
                    i++;
                }

                while (keys[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (keys[i], keys[j]) = (keys[j], keys[i]);
                    i++;
                    j--;
                }
            }

            // [left, j] ≤ pivot ≤ [i, right]; continue on the side holding position k - 1.
            if (k - 1 <= j)
            {
                right = j;
            }
            else if (k - 1 >= i)
            {
                left = i;
            }
            else
            {
                return;
            }
        }
    }

    private static ulong Median(ulong a, ulong b, ulong c) =>
        a < b ? (b < c ? b : Math.Max(a, c)) : (a < c ? a : Math.Max(b, c));

    private static void ByRadix(ReadOnlySpan<float> scores, int k, Span<bool> keep)
    {
        // Pass 1: which high-16-bit bucket holds the k-th largest key.
        var histogram = new int[1 << 16];
        foreach (var s in scores)
        {
            histogram[Key(s) >> 16]++;
        }

        var (high, above) = FindBucket(histogram, k, 0);

        // Pass 2: within that bucket, which low 16 bits.
        Array.Clear(histogram);
        foreach (var s in scores)
        {
            var key = Key(s);
            if (key >> 16 == high)
            {
                histogram[key & 0xFFFF]++;
            }
        }

        var (low, aboveThreshold) = FindBucket(histogram, k, above);
        var threshold = (high << 16) | low;

        // Everything above the threshold, then the lowest indices equal to it.
        var ties = k - aboveThreshold;
        for (var i = 0; i < scores.Length; i++)
        {
            var key = Key(scores[i]);
            if (key > threshold)
            {
                keep[i] = true;
            }
            else if (key == threshold && ties > 0)
            {
                keep[i] = true;
                ties--;
            }
        }
    }

    // Walks buckets from the top; returns the bucket where the count reaches k and the count above it.
    private static (uint Bucket, int Above) FindBucket(int[] histogram, int k, int above)
    {
        for (var b = histogram.Length - 1; b >= 0; b--)
        {
            if (above + histogram[b] >= k)
            {
                return ((uint)b, above);
            }

            above += histogram[b];
        }

        throw new InvalidOperationException("fewer scores than k");
    }
}
