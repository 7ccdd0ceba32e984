using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NnGen.Generator.Model;

namespace NnGen.Generator.Parsing
{
    /// <summary>
    /// Hint names for all networks of a compilation at once. Roslyn compares hint names ignoring case and throws on a
    /// duplicate, which drops every generated file (CS8785), so <c>Demo.Net</c> beside <c>Demo.NET</c> must not both be
    /// <c>Demo.Net.g.cs</c>. A key that collides ignoring case gets a suffix hashed from its exact spelling, so its name
    /// does not depend on the order or number of the other networks; a key held by two declarations (a duplicate type,
    /// already CS0101) gets no file at all.
    /// </summary>
    internal static class HintNames
    {
        public const string Extension = ".g.cs";

        public static HintNameMap Assign(IEnumerable<string> keys)
        {
            List<string> sorted = keys.OrderBy(key => key, StringComparer.Ordinal).ToList();
            var exactCounts = sorted.GroupBy(key => key, StringComparer.Ordinal).ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
            var foldedCounts = exactCounts.Keys.GroupBy(key => key, StringComparer.OrdinalIgnoreCase).ToDictionary(group => group.Key, group => group.Count(), StringComparer.OrdinalIgnoreCase);

            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var resultKeys = new List<string>();
            var resultNames = new List<string>();
            foreach (string key in exactCounts.Keys.OrderBy(key => key, StringComparer.Ordinal))
            {
                resultKeys.Add(key);
                if (exactCounts[key] > 1)
                {
                    resultNames.Add(string.Empty);
                    continue;
                }

                string stem = foldedCounts[key] > 1 ? key + "." + Fnv1a(key).ToString("x8", CultureInfo.InvariantCulture) : key;
                string name = stem + Extension;
                for (int n = 2; !used.Add(name); n++)
                {
                    name = stem + "_" + n.ToString(CultureInfo.InvariantCulture) + Extension;
                }

                resultNames.Add(name);
            }

            return new HintNameMap(new EquatableArray<string>(resultKeys), new EquatableArray<string>(resultNames));
        }

        /// <summary>The hint name for <paramref name="key"/>, or null when it gets no file.</summary>
        public static string? Find(HintNameMap map, string key)
        {
            for (int i = 0; i < map.Keys.Count; i++)
            {
                if (string.Equals(map.Keys[i], key, StringComparison.Ordinal))
                {
                    return map.HintNames[i].Length == 0 ? null : map.HintNames[i];
                }
            }

            return null;
        }

        // string.GetHashCode is randomized per process; hint names must be the same on every build.
        private static uint Fnv1a(string text)
        {
            uint hash = 2166136261;
            foreach (char c in text)
            {
                hash = unchecked((hash ^ c) * 16777619);
            }

            return hash;
        }
    }
}
