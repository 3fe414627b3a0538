import type { Insights } from "~/domain/insights.server";
import { ActionBars } from "./charts/action-bars";
import { BoxPlot } from "./charts/box-plot";
import { FamilyBars } from "./charts/family-bars";
import { Pareto } from "./charts/pareto";
import { PrecisionBars } from "./charts/precision-bars";
import { ShareLine } from "./charts/share-line";
import { SplitBar } from "./charts/split-bar";
import { StackedBars } from "./charts/stacked-bars";
import { InsightSection } from "./insight-section";

/** The insights charts, each with its table and CSV link; shared by /insights and the printable report. */
export function InsightsCharts({ data, search }: { data: Insights; search: string }) {
  const t = data.tables;
  return (
    <>
      <InsightSection id="classes-by-month" title="Incidents per month by failure class" table={t["classes-by-month"]} search={search}>
        <StackedBars periods={data.monthly.periods} series={data.monthly.series} label="Incidents per month by failure class" />
      </InsightSection>
      <InsightSection
        id="pareto"
        title="Failure classes, most frequent first"
        table={t.pareto}
        search={search}
        note="Bars: incidents per class; line: cumulative share. Highlighted classes had repeat incidents."
      >
        <Pareto items={data.pareto} label="Pareto of failure classes" highlightLabel="Has repeats" countLabel="Incidents" />
      </InsightSection>
      <InsightSection id="ml-vs-non-ml" title="ML-specific vs non-ML causes per quarter" table={t["ml-vs-non-ml"]} search={search}>
        <FamilyBars periods={data.family.periods} ml={data.family.ml} nonMl={data.family.nonMl} label="ML-specific vs non-ML causes per quarter" />
      </InsightSection>
      <InsightSection
        id="time-to-detect-resolve"
        title="Time to detect and to resolve, by class"
        table={t["time-to-detect-resolve"]}
        search={search}
        note="Boxes span the middle half of incidents, the line inside is the median, whiskers reach the fastest and slowest. Log scale."
      >
        <h3>Time to detect</h3>
        <BoxPlot groups={data.durations.toDetect} unit="ms" label="Time to detect by failure class" />
        <h3>Time to resolve</h3>
        <BoxPlot groups={data.durations.toResolve} unit="ms" label="Time to resolve by failure class" />
      </InsightSection>
      <InsightSection id="repeats" title="Repeat incidents per quarter" table={t.repeats} search={search} note="A repeat has the same primary class as an incident on the same team or model in the 180 days before it.">
        <ShareLine periods={data.repeats.periods} shares={data.repeats.shares} counts={data.repeats.counts} label="Share of classified incidents that are repeats" />
      </InsightSection>
      <InsightSection id="action-items" title="Action items by failure class" table={t["action-items"]} search={search}>
        <ActionBars rows={data.actions} label="Action items: done, open and overdue per class" />
      </InsightSection>
      <InsightSection id="alert-rules" title="Alert rules, noisiest first" table={t["alert-rules"]} search={search} note="Precision: share of a rule's alerts (first received in the range) that led to a real incident.">
        <PrecisionBars rows={data.rules} label="Precision of alert rules" />
      </InsightSection>
      <InsightSection id="detection" title="How incidents were detected" table={t.detection} search={search}>
        <SplitBar parts={data.detection} label="Incidents by detection source" />
      </InsightSection>
    </>
  );
}
