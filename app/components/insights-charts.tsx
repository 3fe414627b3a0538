import type { InsightDatasets } from "~/domain/insight-datasets.server";
import { cellText, sum } from "~/utils/dataset";
import { ActionBars } from "./charts/action-bars";
import { BoxPlot } from "./charts/box-plot";
import { ChangeDots } from "./charts/change-dots";
import { FamilyBars } from "./charts/family-bars";
import { Pareto } from "./charts/pareto";
import { ShareBars } from "./charts/share-bars";
import { ShareLine } from "./charts/share-line";
import { SplitBar } from "./charts/split-bar";
import { StackedBars } from "./charts/stacked-bars";
import { InsightSection } from "./insight-section";

const BIN_NAMES = { month: "month", quarter: "quarter", year: "year" } as const;

/** The insights charts, each with its table and CSV link; shared by /insights and the printable report. */
export function InsightsCharts({
  data: d,
  bin,
  previous,
  search,
  tablesOpen = false,
}: {
  data: InsightDatasets;
  bin: keyof typeof BIN_NAMES;
  previous: { from: string; to: string };
  search: string;
  tablesOpen?: boolean;
}) {
  const coarse = bin === "month" ? "quarter" : BIN_NAMES[bin];
  const series = d["classes-over-time"].columns.filter((c) => c.unit === "count" && c.key !== "total");
  const blind = d["blind-spots"];
  const rules = d["alert-rules"];
  const shared = { search, tableOpen: tablesOpen };
  // With nothing in the previous period (an "all time" range, or a range before the first incident) every class
  // would be drawn as "more": say so instead of drawing a trend the calendar made.
  const nothingBefore = sum(d["then-vs-now"], "before") === 0;
  return (
    <>
      <InsightSection
        id="then-vs-now"
        title={`Then vs now: each class against ${previous.from} – ${previous.to}`}
        data={d["then-vs-now"]}
        {...shared}
        note={
          nothingBefore
            ? `No incidents started in the previous period (${previous.from} – ${previous.to}), so there is nothing to compare with.`
            : "The previous period has the same length as this one. Shares are of all incidents in each period."
        }
        chart={nothingBefore ? undefined : (width, id) => <ChangeDots id={id} width={width} data={d["then-vs-now"]} label="Incidents per class, previous period and now" />}
      />
      <InsightSection
        id="classes-over-time"
        title={`Incidents per ${BIN_NAMES[bin]} by failure class`}
        data={d["classes-over-time"]}
        {...shared}
        note="Unclassified incidents (and those with only a suggested class, unless included) are the hatched series."
        chart={(width, id) => <StackedBars id={id} width={width} data={d["classes-over-time"]} series={series} label={`Incidents per ${BIN_NAMES[bin]} by failure class`} />}
      />
      <InsightSection
        id="pareto"
        title="Failure classes, most frequent first"
        data={d.pareto}
        {...shared}
        note="Bars: incidents per class; line: cumulative share. Highlighted classes had repeat incidents; pale ones have fewer than 5 incidents."
        chart={(width, id) => <Pareto id={id} width={width} data={d.pareto} label="Pareto of failure classes" />}
      />
      <InsightSection
        id="ml-vs-non-ml"
        title={`ML-specific vs non-ML causes per ${coarse}`}
        data={d["ml-vs-non-ml"]}
        {...shared}
        chart={(width, id) => <FamilyBars id={id} width={width} data={d["ml-vs-non-ml"]} label={`ML-specific vs non-ML causes per ${coarse}`} />}
      />
      <InsightSection
        id="blind-spots"
        title="Where detection is blind: incidents no alert caught"
        data={blind}
        {...shared}
        note="Found another way: by people, users, tests or later audits. Incidents whose detection was not recorded are left out of the share."
        chart={(width, id) => (
          <ShareBars
            id={id}
            width={width}
            data={blind}
            name="class"
            share="blindShare"
            side={(r) => `${cellText(blind, r, "noAlert")} of ${cellText(blind, r, "known")}`}
            describe={(r) =>
              `${r.class}: ${cellText(blind, r, "blindShare")} found another way (${cellText(blind, r, "noAlert")} of ${cellText(blind, r, "known")}); ` +
              `median time to detect ${cellText(blind, r, "detectAlert")} with an alert, ${cellText(blind, r, "detectNoAlert")} without${r.note ? ` · ${r.note}` : ""}`
            }
            label="Share of incidents per class that no alert caught"
            color="#d55e00"
          />
        )}
      />
      <InsightSection
        id="time-to-detect"
        title="Time to detect, by class"
        data={d["time-to-detect"]}
        {...shared}
        note="Boxes span the middle half of incidents, the line inside is the median, whiskers reach the fastest and slowest; n is the number of incidents. Log scale."
        chart={(width, id) => <BoxPlot id={id} width={width} data={d["time-to-detect"]} label="Time to detect by failure class" />}
      />
      <InsightSection
        id="time-to-resolve"
        title="Time to resolve, by class"
        data={d["time-to-resolve"]}
        {...shared}
        chart={(width, id) => <BoxPlot id={id} width={width} data={d["time-to-resolve"]} label="Time to resolve by failure class" />}
      />
      <InsightSection
        id="repeats"
        title={`Repeat incidents per ${coarse}`}
        data={d.repeats}
        {...shared}
        note="A repeat has the same primary class as an incident on the same team or model in the 180 days before it."
        chart={(width, id) => <ShareLine id={id} width={width} data={d.repeats} part="repeats" of="classified" label="Share of classified incidents that are repeats" />}
      />
      <InsightSection
        id="action-items"
        title="Action items by failure class"
        data={d["action-items"]}
        {...shared}
        chart={(width, id) => <ActionBars id={id} width={width} data={d["action-items"]} label="Action items: done, open and overdue per class" />}
      />
      <InsightSection
        id="alert-rules"
        title="Alert rules, noisiest first"
        data={rules}
        {...shared}
        note="Precision: share of a rule's alerts (first received in the range) that led to a real incident."
        chart={(width, id) => (
          <ShareBars
            id={id}
            width={width}
            data={rules}
            name="rule"
            share="precision"
            side={(r) => `${cellText(rules, r, "fires")} ${r.fires === 1 ? "fire" : "fires"}`}
            describe={(r) => `${r.rule}: ${cellText(rules, r, "precision")} precision (${cellText(rules, r, "real")} of ${cellText(rules, r, "alerts")} alerts led to an incident), ${cellText(rules, r, "fires")} fires`}
            label="Precision of alert rules"
          />
        )}
      />
      <InsightSection
        id="detection"
        title="How incidents were detected"
        data={d.detection}
        {...shared}
        chart={(width, id) => <SplitBar id={id} width={width} data={d.detection} label="Incidents by detection source" />}
      />
    </>
  );
}
