import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import 'dayjs/locale/zh-cn';
import dayjs from 'dayjs';
import { App } from './App';
import './console.css';
import { getJson } from './api';
import { FIRST_INBOX_PATH } from './pages/Inbox';
import { prefetch } from './prefetch';
import { finishProviderSignIn } from './provider-sign-in';
import { parseRoute } from './route';
import { storedToken, takeTokenFromAddress, type Principal } from './session';

dayjs.locale('zh-cn');

/**
 * Ant Design's default secondary, placeholder, link and error colours fall below WCAG AA's 4.5:1
 * contrast on white; these pass it (the browser test runs axe on every page).
 */
const THEME = {
  token: {
    colorPrimary: '#b71c1c',
    colorLink: '#0b57d0',
    colorError: '#c62828',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
  },
};
takeTokenFromAddress();
// Back from the identity provider (`?code=…&state=…` or `?error=…`): the code becomes a token.
const signingIn = finishProviderSignIn();
// Who the token belongs to is asked while React starts, not after.
const session = signingIn ?? (storedToken() === null ? null : getJson<Principal>('/session'));
if (signingIn === null && session && parseRoute(window.location.hash).page === 'inbox') {
  prefetch(FIRST_INBOX_PATH);
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ConfigProvider locale={zhCN} theme={THEME}>
        <AntApp>
          <App session={session} />
        </AntApp>
      </ConfigProvider>
    </StrictMode>,
  );
}
