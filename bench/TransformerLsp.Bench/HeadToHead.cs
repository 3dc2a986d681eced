namespace TransformerLsp.Bench;

/// <summary>One side of a head-to-head: a request to repeat, and the settle gap its spinning needs (<see cref="RequestCost"/>).</summary>
internal sealed record Contender(string Name, Action Request, int SettleMs);

/// <summary>
/// Two contenders measured in interleaved rounds: in each round every run is A then B (B then A in odd rounds), so a
/// slow patch of a shared machine falls on both, and neither always runs right after the other's spinning tail. Each
/// round gives a ratio of medians (A / B) for wall and for CPU time; the spread of those ratios over the rounds is the
/// figure's honesty: a ratio that holds in every round is a result, one that flips is noise. Every run is followed by the
/// same idle gap, the longer of the two contenders' settle gaps: a core that idled 120 ms starts the next request slower
/// (the VM deschedules it, its clock drops), and with unequal gaps only the side after the longer gap would pay for that
/// (the engine ran 26.8 ms after GenAI's gap, 21.3 ms after its own).
/// </summary>
internal static class HeadToHead
{
    public sealed record Side(string Name, double WallMs, double CpuMs, IReadOnlyList<double> RoundWallMs);

    public sealed record Result(string Case, Side A, Side B, IReadOnlyList<double> WallRatios, IReadOnlyList<double> CpuRatios)
    {
        /// <summary>Median of the per-round wall ratios (A / B).</summary>
        public double WallRatio => Median(WallRatios);
        public double CpuRatio => Median(CpuRatios);
        public double WorstWallRatio => WallRatios.Max();
        public double BestWallRatio => WallRatios.Min();
    }

    public static Result Run(string caseName, Contender a, Contender b, int rounds, int runsPerRound, TextWriter? log = null)
    {
        // Warm-up: JIT, ONNX Runtime's first-run allocations, caches.
        for (var w = 0; w < 2; w++) { a.Request(); b.Request(); }
        var gap = Math.Max(a.SettleMs, b.SettleMs);
        var wallRatios = new List<double>();
        var cpuRatios = new List<double>();
        var allA = (Wall: new List<double>(), Cpu: new List<double>());
        var allB = (Wall: new List<double>(), Cpu: new List<double>());
        var roundA = new List<double>();
        var roundB = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            var (wa, ca, wb, cb) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
            for (var i = 0; i < runsPerRound; i++)
            {
                if (r % 2 == 0)
                {
                    Add(a, gap, wa, ca);
                    Add(b, gap, wb, cb);
                }
                else
                {
                    Add(b, gap, wb, cb);
                    Add(a, gap, wa, ca);
                }
            }
            wallRatios.Add(Median(wa) / Median(wb));
            cpuRatios.Add(Median(ca) / Median(cb));
            roundA.Add(Median(wa));
            roundB.Add(Median(wb));
            allA.Wall.AddRange(wa); allA.Cpu.AddRange(ca);
            allB.Wall.AddRange(wb); allB.Cpu.AddRange(cb);
        }
        var result = new Result(caseName,
            new Side(a.Name, Median(allA.Wall), Median(allA.Cpu), roundA),
            new Side(b.Name, Median(allB.Wall), Median(allB.Cpu), roundB),
            wallRatios, cpuRatios);
        log?.WriteLine($"  {caseName}: {a.Name} {result.A.WallMs:F1} ms (CPU {result.A.CpuMs:F1}), {b.Name} {result.B.WallMs:F1} ms (CPU {result.B.CpuMs:F1}); "
            + $"wall ratio {result.WallRatio:F2} (rounds {result.BestWallRatio:F2}-{result.WorstWallRatio:F2}), CPU ratio {result.CpuRatio:F2}");
        return result;

        static void Add(Contender c, int gap, List<double> wall, List<double> cpu)
        {
            var cost = RequestCost.Measure(c.Request, gap);
            wall.Add(cost.WallMs);
            cpu.Add(cost.CpuMs);
        }
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
