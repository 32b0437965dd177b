import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  logo: {
    display: 'flex',
    alignItems: 'center',
    gap: 10,
    color: '#7df3e1',
    fontSize: 17,
    fontWeight: 700,
    lineHeight: 1.1,
    whiteSpace: 'normal',
  },
  mark: {
    width: 30,
    height: 30,
    flexShrink: 0,
  },
});

/** The portal's wordmark: a storefront mark and "LLM Marketplace". */
export const LogoFull = () => {
  const classes = useStyles();
  return (
    <span className={classes.logo}>
      <svg className={classes.mark} viewBox="0 0 24 24" aria-hidden="true">
        <path
          fill="currentColor"
          d="M21.9 8.89l-1.05-4.37c-.22-.9-1-1.52-1.91-1.52H5.05c-.9 0-1.69.63-1.9 1.52L2.1 8.89c-.24 1.02-.02 2.06.62 2.88.08.11.19.19.28.29V19c0 1.1.9 2 2 2h14c1.1 0 2-.9 2-2v-6.94c.09-.09.2-.18.28-.28.64-.82.87-1.87.62-2.89zM13 5h1.96l.54 4.52c.05.39-.07.78-.33 1.07-.22.26-.54.41-.95.41-.67 0-1.22-.59-1.22-1.31V5zM6.44 9.86c-.08.65-.6 1.14-1.21 1.14-.49 0-.8-.29-.93-.47-.26-.33-.35-.76-.25-1.17L5.05 5h1.97l-.58 4.86zM11 9.69c0 .72-.55 1.31-1.29 1.31-.34 0-.65-.15-.89-.41-.25-.29-.37-.68-.33-1.07L9.04 5H11v4.69zm7 9.31H6v-7.1c.09.01.16.1.25.1.87 0 1.66-.36 2.24-.95.6.6 1.4.95 2.31.95.87 0 1.65-.36 2.23-.93.59.57 1.39.93 2.29.93.84 0 1.64-.35 2.24-.95.58.59 1.37.95 2.24.95.09 0 .16-.09.25-.1V19zm1.22-8c-.61 0-1.14-.49-1.21-1.14L17.44 5l1.93-.01 1.05 4.37c.1.42.01.84-.25 1.17-.14.18-.44.47-.95.47z"
        />
      </svg>
      <span>LLM Marketplace</span>
    </span>
  );
};
