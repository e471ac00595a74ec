// The read pane's label/value grid (a <dl> of facts), shared by the verdict's facts and the protected
// headers so both sections line up.
import { tokens, type GriffelStyle } from '@fluentui/react-components';

export const FACTS_STYLE: GriffelStyle = {
  display: 'grid',
  gridTemplateColumns: 'minmax(84px, auto) 1fr',
  columnGap: tokens.spacingHorizontalM,
  rowGap: tokens.spacingVerticalXS,
  margin: 0,
  '& dt': { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  '& dd': { margin: 0, overflowWrap: 'anywhere', fontSize: tokens.fontSizeBase300 },
};
